using System.ComponentModel;

namespace GenRay.Internal;

/// <summary>
/// One remote call in flight: its arguments (fields of the generated subclass), the objects it waits for and
/// where its result goes. The generated constructor stores the arguments and calls <see cref="DependOn"/> for
/// each one given as a ref; the call is released to run once every dependency is ready.
/// </summary>
/// <remarks>
/// Readiness is a countdown that starts at 1, a guard held by the submitter: dependencies completing while
/// the constructor still runs cannot release the call early, and a call with no pending dependency is
/// released by the submitter without any interlocked operation.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class Invocation : IObjectListener
{
    private int _pending = 1;

    /// <summary>The running GenRay the call was made in (each kind of call keeps it where it costs the least).</summary>
    internal abstract RayRuntime Runtime { get; }

    /// <summary>The first failed dependency's error: the call does not run and fails with it.</summary>
    internal Exception? DependencyError => ReadDependencyError();

    // Where that error is kept is the subclass's business: a task keeps it with its rarely used state, not in a field
    // every task pays for (see TaskInvocation).
    private protected abstract Exception? ReadDependencyError();

    /// <summary>Keeps <paramref name="error"/> unless an earlier failed dependency's error is kept already.</summary>
    private protected abstract void KeepDependencyError(Exception error);

    /// <summary>Declares that this call needs <paramref name="dependency"/> (an argument given as a ref). For generated code.</summary>
    protected void DependOn(ObjectRef? dependency)
    {
        if (dependency is null)
        {
            return;
        }
        if (!ReferenceEquals(dependency.Runtime, Runtime))
        {
            throw new RayException(
                $"{dependency} was made by a GenRay runtime that has been shut down; refs do not outlive Ray.Shutdown(). " +
                "Submit the work that makes it again in the current runtime.");
        }
        if (dependency.IsCompleted)
        {
            if (dependency.IsFaulted)
            {
                KeepDependencyError(dependency.Error!);
            }
            return;
        }
        Interlocked.Increment(ref _pending);
        dependency.WhenReady(this);
    }

    /// <summary>Drops the submitter's guard: the call is released now if nothing is pending, else by the last dependency.</summary>
    private protected void Arm()
    {
        // Only this thread raised _pending, so reading 1 means every dependency it registered has already
        // completed and no other thread will touch the counter again.
        if (Volatile.Read(ref _pending) == 1 || Interlocked.Decrement(ref _pending) == 0)
        {
            OnDependenciesReady();
        }
    }

    void IObjectListener.OnObjectReady(ObjectRef completed) => OnObjectReady(completed);

    private void OnObjectReady(ObjectRef completed)
    {
        if (completed.IsFaulted)
        {
            KeepDependencyError(completed.Error!);
        }
        if (Interlocked.Decrement(ref _pending) == 0)
        {
            OnDependenciesReady();
        }
    }

    /// <summary>Writes the call's arguments, for another process or a strict in-process round trip. Generated.</summary>
    protected abstract void WriteArguments(ref MessagePack.MessagePackWriter writer);

    internal void WriteArgumentsTo(ref MessagePack.MessagePackWriter writer) => WriteArguments(ref writer);

    /// <summary>Every dependency is ready (or one failed: see <see cref="DependencyError"/>).</summary>
    private protected abstract void OnDependenciesReady();
}
