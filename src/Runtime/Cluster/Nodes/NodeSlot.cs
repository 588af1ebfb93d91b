using GenRay.Scheduling;

namespace GenRay.Cluster.Nodes;

/// <summary>
/// A cluster node as a driver sees it: where its daemon is, its resources and what this driver holds of them,
/// how many of the driver's workers run there, and whether it is alive.
/// </summary>
internal sealed class NodeSlot(string id, string address, Dictionary<string, double> total, NodeResources resources)
{
    private volatile string? _death;
    private int _workers;

    public string Id { get; } = id;

    /// <summary>The node daemon's address (workers are started through it).</summary>
    public string Address { get; } = address;

    public Dictionary<string, double> Total { get; } = total;

    /// <summary>This driver's accounting of the node: what its tasks and actors hold there.</summary>
    public NodeResources Resources { get; } = resources;

    /// <summary>The workers this driver wants there: one per CPU, at least one.</summary>
    public int WorkersWanted => Math.Max(1, (int)Math.Ceiling(Total.GetValueOrDefault(NodeResources.Cpu)));

    public int Workers => Volatile.Read(ref _workers);

    public bool IsAlive => _death is null;

    public void WorkerStarted() => Interlocked.Increment(ref _workers);

    public void WorkerGone() => Interlocked.Decrement(ref _workers);

    /// <summary>Marks the node dead; true the first time.</summary>
    public bool Die(string why) => Interlocked.CompareExchange(ref _death, why, null) is null;

    public override string ToString() => $"node {Id} ({HeadState.Format(Total)})";
}
