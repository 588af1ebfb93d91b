using System.ComponentModel;
using System.Runtime.CompilerServices;

using GenRay.Scheduling;
using GenRay.Serialization;

namespace GenRay.Internal;

/// <summary>
/// A task call returning <typeparamref name="TResult"/>. The generated subclass holds the arguments as fields
/// and implements <see cref="Invoke"/> as a direct call to the user's method: no reflection at call time.
/// </summary>
/// <example>
/// What the generator emits for <c>[Remote] static int Add(int x, int y)</c>, in essence:
/// <code>
/// sealed class AddInvocation : TaskInvocation&lt;int&gt;
/// {
///     private readonly Arg&lt;int&gt; _x, _y;
///     public AddInvocation(TaskOptions? o, Arg&lt;int&gt; x, Arg&lt;int&gt; y) : base(Method, o)
///     { _x = x; _y = y; DependOn(x.Ref); DependOn(y.Ref); }
///     protected override ValueTask&lt;int&gt; Invoke() => new(Work.Add(_x.Value, _y.Value));
/// }
/// </code>
/// </example>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class TaskInvocation<TResult> : TaskInvocation
{
    /// <summary>Creates the call; throws if <see cref="Ray.Init"/> was not called. For generated code.</summary>
    protected TaskInvocation(RemoteMethod method, TaskOptions? options) : base(method, options, NewResult())
    {
    }

    // The result ref is made before the call (the base keeps it): its runtime is the call's.
    private static ObjectRef<TResult> NewResult()
    {
        var runtime = RayRuntime.RequireCurrent();
        return InvocationContext.TakeResultId() is { } id ? new ObjectRef<TResult>(runtime, id) : new ObjectRef<TResult>(runtime, ObjectKind.TaskReturn);
    }

    private ObjectRef<TResult> Result => Unsafe.As<ObjectRef<TResult>>(ResultRef);

    /// <summary>Calls the user's method with the (resolved) arguments.</summary>
    protected abstract ValueTask<TResult> Invoke();

    /// <summary>Submits the call; it runs once its dependencies are ready and the node has its resources.</summary>
    public ObjectRef<TResult> Submit()
    {
        var result = Result;
        Runtime.Executor.Submit(this);
        Current?.Adopt(this);
        return result;
    }

    private protected override void Run()
    {
        ValueTask<TResult> pending;
        var previous = EnterExecution();
        try
        {
            pending = Runtime.Options.StrictSerialization ? ((TaskInvocation<TResult>)StrictRoundTrip.Task(this)).InvokeFor(this) : Invoke();
        }
        catch (Exception error)
        {
            ExitExecution(previous);
            Complete(error);
            return;
        }
        ExitExecution(previous);

        if (pending.IsCompletedSuccessfully)
        {
            Complete(pending.Result);
        }
        else
        {
            AwaitCompletion(pending);
        }
    }

    private void AwaitCompletion(ValueTask<TResult> pending)
    {
        var awaiter = pending.ConfigureAwait(false).GetAwaiter();
        awaiter.UnsafeOnCompleted(() =>
        {
            TResult value;
            try
            {
                value = awaiter.GetResult();
            }
            catch (Exception error)
            {
                Complete(error);
                return;
            }
            Complete(value);
        });
    }

    // A copy made by a strict round trip runs the user's code on behalf of the original, under its token.
    private ValueTask<TResult> InvokeFor(TaskInvocation<TResult> original)
    {
        TokenOwner = original;
        return Invoke();
    }

    private void Complete(TResult value)
    {
        if (Runtime.Options.StrictSerialization)
        {
            try
            {
                value = StrictRoundTrip.Value(value, $"the result of {Name}");
            }
            catch (RayException error)
            {
                Complete(error);
                return;
            }
        }
        // Resources go back before the result is published, so a caller woken by it finds the CPUs free;
        // work either step admits may run next on this worker thread.
        var completing = TaskWorkers.EnterCompletion();
        ReleaseResources();
        Result.TrySetResult(value); // which also drops the ref's hold on this task
        TaskWorkers.ExitCompletion(completing);
    }

    private void Complete(Exception error)
    {
        var completing = TaskWorkers.EnterCompletion();
        if (!RetryAfter(error))
        {
            Result.TrySetException(RayTaskException.FromLocal(Name, error));
        }
        TaskWorkers.ExitCompletion(completing);
    }

    private protected override void Fail(Exception error) => Result.TrySetException(error);
}
