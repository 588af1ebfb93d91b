using GenRay.Scheduling;

namespace GenRay.Cluster.Nodes;

/// <summary>
/// Where a driver's admitted work goes in a cluster: a node that can hold its resources now, the least loaded
/// first so load spreads; custom resources only where a node has them. Work that fits no node at the moment
/// waits here until some node gives resources back.
/// </summary>
internal sealed class NodePlacement(IReadOnlyList<NodeSlot> nodes)
{
    private readonly object _lock = new();
    private List<Action> _waiting = [];

    public IReadOnlyList<NodeSlot> Nodes { get; } = nodes;

    /// <summary>
    /// Takes <paramref name="request"/> on a live node <paramref name="serves"/> accepts: the lowest
    /// <paramref name="load"/> first (none: all equal), then the most free CPU share.
    /// </summary>
    public NodeSlot? TryAcquire(ResourceRequest request, Func<NodeSlot, bool> serves, Func<NodeSlot, int>? load = null)
    {
        foreach (var node in Nodes.Where(n => n.IsAlive && serves(n)).OrderBy(n => load?.Invoke(n) ?? 0).ThenByDescending(n => n.Resources.FreeCpuShare))
        {
            if (node.Resources.TryAcquire(request))
            {
                return node;
            }
        }
        return null;
    }

    public void Release(NodeSlot node, ResourceRequest request)
    {
        if (!request.IsEmpty)
        {
            node.Resources.Release(request);
        }
        RunWaiting();
    }

    /// <summary>Runs <paramref name="retry"/> the next time a node gives resources back (or a node's state changes).</summary>
    public void Wait(Action retry)
    {
        lock (_lock)
        {
            _waiting.Add(retry);
        }
    }

    public void RunWaiting()
    {
        List<Action> waiting;
        lock (_lock)
        {
            if (_waiting.Count == 0)
            {
                return;
            }
            waiting = _waiting;
            _waiting = [];
        }
        foreach (var retry in waiting)
        {
            retry();
        }
    }

    /// <summary>Null when some live node could hold <paramref name="request"/>; otherwise why none can.</summary>
    public string? Infeasible(ResourceRequest request) =>
        Nodes.Any(n => n.IsAlive && n.Resources.CanEverHold(request))
            ? null
            : $"no node of the cluster has all it asks for (nodes: {string.Join("; ", Nodes.Where(n => n.IsAlive))})";
}
