using GenRay.Internal;
using MessagePack;

namespace GenRay.Cluster;

/// <summary>
/// A worker's handle to an actor that lives in another process: calls go to the driver, in the order made, and
/// the driver passes them to the actor's process. Results come back as ObjectReady messages.
/// </summary>
internal sealed class ForwardedActor : ActorCore
{
    private readonly WorkerNode _worker;

    public ForwardedActor(RayRuntime runtime, RemoteActorType type, Type actorClass, ActorOptions? options, WorkerNode worker)
        : base(runtime, type, actorClass, options)
    {
        _worker = worker;
    }

    public override bool IsDead => false;

    public override void Enqueue(ActorCall call)
    {
        _worker.Objects.Add(call.ResultRef, pin: true);
        call.MarkSent();
        _worker.Send(MessageKind.SubmitCall, 4, call.WriteSubmission, onFailure: call.Fail);
    }

    public override void Kick()
    {
    }

    public override void Kill(bool noRestart, string reason) =>
        _worker.Send(MessageKind.KillRequest, 2, (ref MessagePackWriter w) =>
        {
            IdCodec.Write(ref w, Id);
            w.Write(noRestart);
        });

    public override void Die(ActorDiedException cause)
    {
        // The actor lives elsewhere: its own process decides when it dies.
    }
}
