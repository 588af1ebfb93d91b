using GenRay.Internal;

namespace GenRay.Cluster;

/// <summary>
/// A named actor of another job on the cluster, as this job's driver sees it: calls go, in the order made, to the
/// driver that owns it (over a <see cref="DriverLink"/>), which runs them as its own and answers where each result
/// is. The owner decides restarts and death; when the owner's job ends, the actor is dead here too.
/// </summary>
internal sealed class ForeignActor : ActorCore
{
    private readonly DriverLink _owner;

    public ForeignActor(RayRuntime runtime, RemoteActorType type, Type actorClass, DriverLink owner)
        : base(runtime, type, actorClass, null)
    {
        _owner = owner;
    }

    public override bool IsDead => _owner.IsLost;

    public override void Enqueue(ActorCall call)
    {
        if (_owner.LostBecause is { } why)
        {
            call.Fail(Dead(why));
            return;
        }
        _owner.Call(this, call);
    }

    public override void Kick()
    {
    }

    public override void Kill(bool noRestart, string reason) => _owner.Kill(this, noRestart);

    public override void Die(ActorDiedException cause)
    {
        // It lives in another job: its owner decides when it dies (this job's shutdown only lets go of it).
    }

    private ActorDiedException Dead(string why) => new($"The actor {DisplayName} is dead: its owner, {_owner.Name}, {why}.");
}
