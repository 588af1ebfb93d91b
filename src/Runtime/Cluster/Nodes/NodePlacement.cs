using GenRay.Scheduling;

namespace GenRay.Cluster.Nodes;

/// <summary>
/// Where a driver's admitted work goes in a cluster: a node where the job's grant can hold its resources now,
/// the least loaded first so load spreads; custom resources only where a node has them. Work that fits no
/// node at the moment waits here until resources come back or a node grants more (<see cref="NodeGrants"/>).
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
    /// <remarks>Every task passes here. Nodes are few, so the order is found by repeated scans, not a sort: nothing is allocated.</remarks>
    public NodeSlot? TryAcquire(ResourceRequest request, Func<NodeSlot, bool> serves, Func<NodeSlot, int>? load = null)
    {
        var count = Nodes.Count;
        Span<bool> open = count <= 64 ? stackalloc bool[count] : new bool[count];
        for (var i = 0; i < count; i++)
        {
            open[i] = Nodes[i].IsAlive && serves(Nodes[i]);
        }
        while (true)
        {
            var best = -1;
            var bestLoad = 0;
            var bestShare = 0.0;
            for (var i = 0; i < count; i++)
            {
                if (!open[i])
                {
                    continue;
                }
                var nodeLoad = load?.Invoke(Nodes[i]) ?? 0;
                var share = Nodes[i].Resources.FreeCpuShare;
                if (best < 0 || nodeLoad < bestLoad || (nodeLoad == bestLoad && share > bestShare))
                {
                    (best, bestLoad, bestShare) = (i, nodeLoad, share);
                }
            }
            if (best < 0)
            {
                return null;
            }
            if (Nodes[best].Resources.TryAcquire(request))
            {
                return Nodes[best];
            }
            open[best] = false;
        }
    }

    /// <summary>
    /// Gives back what a node holds free for the job, to the node (set by <see cref="NodeGrants"/>): called when the
    /// job's work frees resources on a node where other jobs wait.
    /// </summary>
    public Action<NodeSlot>? GiveBack { get; set; }

    /// <summary>
    /// Work gave <paramref name="request"/> back to the job's holdings on <paramref name="node"/>: its waiting work
    /// may take them, unless other jobs wait at that node, who get them first.
    /// </summary>
    public void Release(NodeSlot node, ResourceRequest request)
    {
        if (!request.IsEmpty)
        {
            node.Resources.Release(request);
            if (node.Contended)
            {
                GiveBack?.Invoke(node);
            }
        }
        RunWaiting();
    }

    /// <summary>Runs <paramref name="retry"/> the next time resources come back or are granted (or a node's state changes).</summary>
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

    /// <summary>Null when some live node could hold <paramref name="request"/> (by its totals, whatever it granted); otherwise why none can.</summary>
    public string? Infeasible(ResourceRequest request) =>
        Nodes.Any(n => n.IsAlive && n.Capacity.CanEverHold(request))
            ? null
            : $"no node of the cluster has all it asks for (nodes: {string.Join("; ", Nodes.Where(n => n.IsAlive))})";
}
