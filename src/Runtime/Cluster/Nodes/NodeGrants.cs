using GenRay.Scheduling;

namespace GenRay.Cluster.Nodes;

/// <summary>
/// A job's side of the nodes' grants (<see cref="NodeLedger"/>): asks a node for resources when work waits that
/// the job's holdings cannot place, gives back what stays idle so other jobs get it, and renews what it holds
/// every second so the nodes keep it for a driver that is alive.
/// </summary>
/// <remarks>
/// Placement itself never calls a node: tasks take from the job's holdings (<see cref="NodeSlot.Resources"/>)
/// and give back to them, so a busy job pays one call per node when it starts and none after. A node is asked
/// for exactly what one waiting request needs, at most one request per node at a time: the answer (granted or,
/// after the node's long poll, not) wakes the waiting work, which asks again if it still does not fit, then
/// maybe another node. Holdings free at two looks a second apart are idle and go back. While other jobs wait at a
/// node (its replies say so), what the job's work frees there goes back at once: the node grants it in arrival
/// order, so jobs busy at once take turns instead of the first holding the node until its work runs out.
/// </remarks>
internal sealed class NodeGrants(ClusterSession session) : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    // Longer than the node's long poll: the node answers "not granted" before the call's deadline, so a grant is
    // never made for a call the driver gave up on.
    private static readonly TimeSpan AskTimeout = NodeLedger.LongPoll + TimeSpan.FromSeconds(10);

    // After a failed call, before the waiting work asks again: a node that cannot be reached is not asked in a
    // loop while the head has not yet declared it dead.
    private static readonly TimeSpan AfterFailure = TimeSpan.FromSeconds(1);

    private Timer? _timer;
    private volatile bool _stopped;

    /// <summary>Starts giving back idle holdings and renewing the rest, every second.</summary>
    public void Start() => _timer = new Timer(_ => Tick(), null, Period, Period);

    /// <summary>
    /// Asks a live node <paramref name="serves"/> accepts for <paramref name="request"/>: one that could grant it
    /// without this job giving anything back, holding the smallest share of it. Nothing when every such node is
    /// already being asked, or none is left: the job's own work gives back what waiting work needs.
    /// </summary>
    public void Ask(ResourceRequest request, Func<NodeSlot, bool> serves)
    {
        if (_stopped || request.IsEmpty)
        {
            return; // what asks for nothing fits any node: it waits for a worker, not for a grant
        }
        NodeSlot? best = null;
        var bestShare = 0.0;
        foreach (var node in session.Placement.Nodes)
        {
            if (!node.IsAlive || node.IsAsking || !serves(node) || !node.Resources.CanGrowWithin(node.Capacity, request))
            {
                continue;
            }
            var capacity = node.Capacity.TotalCpus;
            var share = capacity == 0 ? 0 : node.Resources.TotalCpus / capacity;
            if (best is null || share < bestShare)
            {
                (best, bestShare) = (node, share);
            }
        }
        if (best is not null && best.TryStartAsking())
        {
            _ = AskAsync(best, request);
        }
    }

    private async Task AskAsync(NodeSlot node, ResourceRequest request)
    {
        try
        {
            var reply = await Control.CallAsync(session.Channel(node.Address), Control.Acquire, new GrantRequest(session.JobId, node.Capacity.Amounts(request)),
                ControlJson.Default.GrantRequest, ControlJson.Default.GrantReply, AskTimeout).ConfigureAwait(false);
            node.Contended = reply.Contended;
            if (reply.Granted)
            {
                // Granted to a job that stopped meanwhile, or on a node declared dead: the node's EndJob (or its
                // end) drops it, and a late grant expires unrenewed.
                node.Resources.Grow(request);
            }
        }
        catch (Exception error) when (error is RayException or ObjectDisposedException)
        {
            if (_stopped)
            {
                return; // the session ended (its channels are closed)
            }
            Console.Error.WriteLine($"GenRay: asking node {node.Id} at {node.Address} for {HeadState.Format(node.Capacity.Amounts(request))} failed: {error.Message}");
            await Task.Delay(AfterFailure).ConfigureAwait(false);
        }
        finally
        {
            node.DoneAsking();
        }
        if (!_stopped)
        {
            session.Placement.RunWaiting();
        }
    }

    private void Tick()
    {
        var returned = false;
        foreach (var node in session.Placement.Nodes)
        {
            if (_stopped || !node.IsAlive)
            {
                continue; // a dead node's grants died with it
            }
            returned |= ReturnIdle(node);
            if (node.Resources.Snapshot(available: false).Values.Any(v => v > 0))
            {
                Renew(node);
            }
        }
        if (returned)
        {
            session.Placement.RunWaiting(); // work that waited for a node this job held idle may ask it now
        }
    }

    // What was free at the last look and still is has been idle for a second or more: it goes back to the node.
    private bool ReturnIdle(NodeSlot node)
    {
        var idle = node.Resources.Free();
        var steady = Both(node.LastIdle, idle);
        node.LastIdle = idle;
        if (!Return(node, steady))
        {
            return false;
        }
        node.LastIdle = ResourceRequest.None;
        return true;
    }

    /// <summary>Gives back to <paramref name="node"/> all the job holds free there (other jobs wait for it).</summary>
    public void GiveBack(NodeSlot node)
    {
        if (!_stopped)
        {
            Return(node, node.Resources.Free());
        }
    }

    // Takes free holdings out of the job's pool and gives them to the node; false when they are no longer all free.
    // A node that cannot be reached holds nothing for long: its grants expire, or the head declares it dead.
    private bool Return(NodeSlot node, ResourceRequest amounts)
    {
        if (amounts.IsEmpty || !node.Resources.TryShrink(amounts))
        {
            return false;
        }
        _ = Control.TellAsync(session.Channel(node.Address), Control.Return, new GrantRequest(session.JobId, node.Capacity.Amounts(amounts)),
            ControlJson.Default.GrantRequest, TimeSpan.FromSeconds(5));
        return true;
    }

    private void Renew(NodeSlot node)
    {
        if (node.TryStartRenewing())
        {
            _ = RenewAsync(node);
        }
    }

    private async Task RenewAsync(NodeSlot node)
    {
        try
        {
            var reply = await Control.CallAsync(session.Channel(node.Address), Control.Renew, new RenewRequest(session.JobId),
                ControlJson.Default.RenewRequest, ControlJson.Default.RenewReply, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            node.Contended = reply.Contended;
            if (reply.Contended)
            {
                GiveBack(node); // what is free now, without waiting for the job's work to free more
            }
        }
        catch (Exception error) when (error is RayException or ObjectDisposedException)
        {
            // Renewed at the next tick; a node that stays unreachable is declared dead by the head.
        }
        finally
        {
            node.DoneRenewing();
        }
    }

    // The amounts free in both looks.
    private static ResourceRequest Both(ResourceRequest before, ResourceRequest now)
    {
        var cpu = Math.Min(before.CpuUnits, now.CpuUnits);
        var custom = now.Custom
            .Select(c => (c.Index, Units: Math.Min(c.Units, before.Custom.FirstOrDefault(b => b.Index == c.Index).Units)))
            .Where(c => c.Units > 0)
            .ToArray();
        return cpu == 0 && custom.Length == 0 ? ResourceRequest.None : new ResourceRequest(cpu, custom);
    }

    public void Dispose()
    {
        _stopped = true;
        _timer?.Dispose();
    }
}
