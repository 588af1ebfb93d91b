using GenRay.Scheduling;

namespace GenRay.Cluster.Nodes;

/// <summary>
/// A cluster node as a driver sees it: where its daemon is, its resources and what this job was granted of them,
/// how many of the driver's workers run there, and whether it is alive.
/// </summary>
internal sealed class NodeSlot
{
    private volatile string? _death;
    private int _workers;
    private int _asking;
    private int _renewing;
    private volatile bool _contended;

    // names: every custom resource name of the cluster (0 where this node lacks one), so a request resolved once
    // means the same on every node.
    public NodeSlot(string id, string address, Dictionary<string, double> total, IReadOnlyCollection<string> names)
    {
        Id = id;
        Address = address;
        Total = total;
        Capacity = new NodeResources(total.GetValueOrDefault(NodeResources.Cpu), names.ToDictionary(k => k, k => total.GetValueOrDefault(k), StringComparer.Ordinal));
        Resources = new NodeResources(0, names.ToDictionary(k => k, _ => 0.0, StringComparer.Ordinal));
    }

    public string Id { get; }

    /// <summary>The node daemon's address (workers are started through it).</summary>
    public string Address { get; }

    public Dictionary<string, double> Total { get; }

    /// <summary>The node's totals, as a pool nothing is taken from: whether a request could ever run there.</summary>
    public NodeResources Capacity { get; }

    /// <summary>
    /// What the node's daemon granted this job, and how much of it the job's tasks and actors hold now. It starts
    /// empty; <see cref="NodeGrants"/> fills it when work waits and gives back what stays idle.
    /// </summary>
    public NodeResources Resources { get; }

    /// <summary>What was free in <see cref="Resources"/> at the last look (a second ago): free at both looks, it is idle.</summary>
    public ResourceRequest LastIdle { get; set; } = ResourceRequest.None;

    /// <summary>The workers this driver wants there: one per CPU, at least one.</summary>
    public int WorkersWanted => Math.Max(1, (int)Math.Ceiling(Total.GetValueOrDefault(NodeResources.Cpu)));

    public int Workers => Volatile.Read(ref _workers);

    public bool IsAlive => _death is null;

    /// <summary>
    /// Whether other jobs wait for the node's resources, as its last reply said: then what this job's work frees
    /// there goes back at once rather than to the job's next task.
    /// </summary>
    public bool Contended
    {
        get => _contended;
        set => _contended = value;
    }

    /// <summary>Whether a request for more resources is on its way to the node (one at a time).</summary>
    public bool IsAsking => Volatile.Read(ref _asking) != 0;

    public void WorkerStarted() => Interlocked.Increment(ref _workers);

    public void WorkerGone() => Interlocked.Decrement(ref _workers);

    /// <summary>True when no other request for resources is on its way to the node; then <see cref="DoneAsking"/> must follow.</summary>
    public bool TryStartAsking() => Interlocked.Exchange(ref _asking, 1) == 0;

    public void DoneAsking() => Volatile.Write(ref _asking, 0);

    /// <summary>True when no other renewal is on its way to the node; then <see cref="DoneRenewing"/> must follow.</summary>
    public bool TryStartRenewing() => Interlocked.Exchange(ref _renewing, 1) == 0;

    public void DoneRenewing() => Volatile.Write(ref _renewing, 0);

    /// <summary>Marks the node dead; true the first time.</summary>
    public bool Die(string why) => Interlocked.CompareExchange(ref _death, why, null) is null;

    public override string ToString() => $"node {Id} ({HeadState.Format(Total)})";
}
