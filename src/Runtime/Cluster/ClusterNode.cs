using GenRay.Scheduling;

namespace GenRay.Cluster;

/// <summary>
/// What every process of a multi-process GenRay has: a gRPC endpoint with its object store, the refs it shares
/// by id, leases on values held elsewhere, and the wire context values cross in.
/// </summary>
internal abstract class ClusterNode : Executor
{
    protected ClusterNode(RayRuntime runtime) : base(runtime)
    {
        Server = new NodeServer();
        Objects = new ObjectTable();
        Leases = new ObjectLeases(Server.Release);
        WireContext = new ClusterWireContext(this);
    }

    public NodeServer Server { get; }

    public ObjectTable Objects { get; }

    public ObjectLeases Leases { get; }

    public ClusterWireContext WireContext { get; }

    public override Serialization.WireContext Wire => WireContext;

    public override Fetched Fetch(RemoteValue location, ObjectId id) => Server.Fetch(location.Holder, id);

    /// <summary>An ObjectReady arrived: the object this process waited for (a result, a subscription) takes its outcome, and is no longer pinned for it.</summary>
    public void Ready(ObjectId id, Outcome.Parsed outcome)
    {
        if (Objects.TryGet(id, out var value))
        {
            outcome.Apply(value, this);
            Objects.Unpin(id);
        }
        else if (outcome.Holder is { } holder)
        {
            Leases.Release(holder, id); // no ref here wants it any more: the lease taken for this process goes back
        }
    }

    /// <summary>Whether the process at <paramref name="holder"/> is known to have died (its values are lost).</summary>
    public virtual bool HolderLost(string holder) => false;

    /// <summary>A pending ref is being sent to another process, which will ask about it by id.</summary>
    public abstract void Exporting(ObjectRef pending);

    /// <summary>A pending ref arrived from another process: arrange to learn its outcome.</summary>
    public abstract void Subscribe(ObjectRef proxy);

    /// <summary>The actor a handle that arrived from another process points at.</summary>
    public abstract ActorCore FindActor(ActorId id, string typeId, Type actorClass);

    public override void Stop()
    {
        Leases.Stop();
        Server.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(2));
    }
}
