using System.ComponentModel;
using System.Runtime.CompilerServices;
using GenRay.Serialization;

namespace GenRay.Internal;

/// <summary>
/// A call to a method of actor <typeparamref name="TActor"/> returning <typeparamref name="TResult"/>. The
/// generated subclass holds the arguments and implements <see cref="Invoke"/> as a direct call.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class ActorInvocation<TActor, TResult> : ActorCall
    where TActor : class
{
    private readonly ObjectRef<TResult> _result;

    /// <summary>Creates the call on <paramref name="actor"/>. For generated code.</summary>
    protected ActorInvocation(RemoteMethod method, ActorHandle<TActor> actor) : base(method, actor.Actor)
    {
        _result = InvocationContext.TakeResultId() is { } id ? new ObjectRef<TResult>(Runtime, id) : new ObjectRef<TResult>(Runtime, ObjectKind.TaskReturn);
        _result.SetProducer(this);
    }

    internal override ObjectRef ResultRef => _result;

    /// <summary>Calls the user's method on the actor instance.</summary>
    protected abstract ValueTask<TResult> Invoke(TActor actor);

    /// <summary>Queues the call in the actor's mailbox and returns its result ref.</summary>
    public ObjectRef<TResult> Submit()
    {
        var result = _result;
        Actor.Enqueue(this);
        Arm();
        return result;
    }

    internal override void SubmitUntyped() => Submit();

    internal override bool Execute(object instance, LocalActor actor)
    {
        _result.ClearProducer(this); // started: Ray does not cancel running actor calls
        ValueTask<TResult> pending;
        try
        {
            var call = Runtime.Options.StrictSerialization ? (ActorInvocation<TActor, TResult>)StrictRoundTrip.ActorCall(this) : this;
            pending = call.Invoke(Unsafe.As<TActor>(instance));
        }
        catch (Exception error)
        {
            Complete(error);
            return true;
        }
        if (pending.IsCompletedSuccessfully)
        {
            SetResult(pending.Result);
            return true;
        }
        FinishLater(pending, actor);
        return false;
    }

    // A method of its own: the closure capturing the actor would otherwise be made at Execute's entry, for every call
    // (the compiler creates a captured parameter's closure where the method starts), completed at once or not.
    private void FinishLater(ValueTask<TResult> pending, LocalActor actor)
    {
        var awaiter = pending.ConfigureAwait(false).GetAwaiter();
        awaiter.UnsafeOnCompleted(() =>
        {
            try
            {
                SetResult(awaiter.GetResult());
            }
            catch (Exception error)
            {
                Complete(error);
            }
            actor.Finished(this, inTurn: false);
        });
    }

    private void SetResult(TResult value)
    {
        if (Runtime.Options.StrictSerialization)
        {
            try
            {
                value = StrictRoundTrip.Value(value, $"the result of {Method.Name}");
            }
            catch (RayException error)
            {
                Complete(error);
                return;
            }
        }
        _result.TrySetResult(value);
    }

    // An exception fails this call only; the actor keeps its state and goes on.
    private void Complete(Exception error) => _result.TrySetException(RayTaskException.FromLocal(Method.Name, error));

    internal override void Fail(Exception error) => _result.TrySetException(error);
}
