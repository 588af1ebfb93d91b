using System.ComponentModel;

namespace GenRay.Internal;

/// <summary>
/// A call to an actor method: queued in the actor's mailbox at submit (so one caller's calls keep their
/// order), run once its dependencies are ready and its turn comes. For generated code; see
/// <see cref="ActorInvocation{TActor, TResult}"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class ActorCall : Invocation, IThreadPoolWorkItem, ICancellableWork
{
    private volatile bool _ready;
    private volatile bool _cancelled;
    private Exception? _dependencyError;

    private protected ActorCall(RemoteMethod method, ActorCore actor)
    {
        Runtime = RayRuntime.RequireCurrent();
        if (!ReferenceEquals(actor.Runtime, Runtime))
        {
            throw new RayException(
                $"The handle to {actor.DisplayName} belongs to a GenRay runtime that has been shut down; actors do not outlive Ray.Shutdown(). Create the actor again.");
        }
        Method = method;
        Actor = actor;
    }

    internal RemoteMethod Method { get; }

    internal sealed override RayRuntime Runtime { get; }

    private protected override Exception? ReadDependencyError() => Volatile.Read(ref _dependencyError);

    private protected override void KeepDependencyError(Exception error) => Interlocked.CompareExchange(ref _dependencyError, error, null);

    /// <summary>
    /// Passed to a <c>CancellationToken</c> parameter of an actor method: signalled when GenRay shuts down
    /// (a call that has started is never cancelled by <see cref="Ray.Cancel"/>, as in Ray). For generated code.
    /// </summary>
    protected CancellationToken CancellationToken => Runtime.ShutdownToken;

    internal ActorCore Actor { get; }

    /// <summary>How often the call was sent again after its actor's process died while it ran (MaxTaskRetries).</summary>
    internal int Retries;

    /// <summary>Cancelled while queued: the mailbox drops it without running it.</summary>
    internal bool IsCancelled => _cancelled;

    /// <summary>Ray cancels actor calls that have not started; a running call is left to finish.</summary>
    void ICancellableWork.Cancel(bool force) => Cancel();

    internal void Cancel()
    {
        _cancelled = true;
        Fail(new TaskCancelledException($"{Method.Name} on {Actor.DisplayName} was cancelled by Ray.Cancel before it ran."));
        Actor.Cancel(this);
    }

    /// <summary>Every dependency is ready: the call may run when its turn comes.</summary>
    internal bool IsReady => _ready;

    private protected override void OnDependenciesReady()
    {
        _ready = true;
        Actor.Kick();
    }

    /// <summary>Submits a call rebuilt from a message.</summary>
    internal abstract void SubmitUntyped();

    /// <summary>The object this call's result goes to.</summary>
    internal abstract ObjectRef ResultRef { get; }

    /// <summary>The call was sent to another process: it is in flight there, no longer cancellable here.</summary>
    internal void MarkSent() => ResultRef.ClearProducer(this);

    /// <summary>Runs the method on <paramref name="instance"/>. True when it finished synchronously; otherwise
    /// <see cref="LocalActor.Finished"/> is called when it completes.</summary>
    internal abstract bool Execute(object instance, LocalActor actor);

    /// <summary>Fails the call without running it (the actor died, a dependency failed).</summary>
    internal abstract void Fail(Exception error);

    void IThreadPoolWorkItem.Execute() => ((LocalActor)Actor).RunThreaded(this);

    /// <summary>Writes the call's arguments (for sending it to the process where the actor lives).</summary>
    internal void WriteArgumentsForWire(ref MessagePack.MessagePackWriter writer) => WriteArgumentsTo(ref writer);

    /// <summary>
    /// Writes a SubmitCall message's fields: the call handed to the driver that routes it (a worker's driver, or the
    /// driver owning another job's actor). <c>[resultId, actorId, methodId, args]</c>.
    /// </summary>
    internal void WriteSubmission(ref MessagePack.MessagePackWriter writer)
    {
        Cluster.IdCodec.Write(ref writer, ResultRef.Id);
        Cluster.IdCodec.Write(ref writer, Actor.Id);
        writer.WriteRaw(Method.WireId);
        WriteArgumentsTo(ref writer);
    }
}
