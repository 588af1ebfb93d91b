namespace GenRay.Cluster.Nodes;

/// <summary>
/// Starts a driver's workers on the cluster's nodes: each goes to the live node furthest below its share (one
/// worker per CPU), after the job's code was shipped there once. A node that cannot be reached is taken for
/// dead (the head will say so within seconds) and the worker goes to another.
/// </summary>
internal sealed class ClusterLauncher(ClusterSession session) : IWorkerLauncher
{
    private readonly Dictionary<string, Task> _shipped = new(StringComparer.Ordinal);
    private readonly object _lock = new();

    public async Task<WorkerStart> StartAsync(int index)
    {
        RayException? last = null;
        for (var attempt = 0; attempt < session.Placement.Nodes.Count; attempt++)
        {
            var node = Choose() ?? throw last ?? new RayException("No node of the cluster is alive to start a worker on.");
            node.WorkerStarted(); // counted at once, so starts in parallel spread over the nodes
            try
            {
                await Ship(node).ConfigureAwait(false);
                var reply = await Control.CallAsync(session.Channel(node.Address), Control.StartWorker,
                    new StartWorkerRequest(session.JobId, index, [.. session.Code.Files], session.Namespace),
                    ControlJson.Default.StartWorkerRequest, ControlJson.Default.StartWorkerReply, TimeSpan.FromSeconds(90)).ConfigureAwait(false);
                return new WorkerStart(new RemoteWorkerProcess(session, node, reply.Pid), reply.Address, node);
            }
            catch (RayException error)
            {
                node.WorkerGone();
                last = new RayException($"Starting worker {index} on {node} failed: {error.Message}", error);
                if (error.InnerException is Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.Unavailable })
                {
                    session.NodeLost(node, "its daemon cannot be reached");
                    continue;
                }
                throw last;
            }
        }
        throw last ?? new RayException("No node of the cluster is alive to start a worker on.");
    }

    private NodeSlot? Choose() =>
        session.Placement.Nodes.Where(n => n.IsAlive).OrderBy(n => (double)n.Workers / n.WorkersWanted).FirstOrDefault();

    private Task Ship(NodeSlot node)
    {
        lock (_lock)
        {
            if (!_shipped.TryGetValue(node.Id, out var shipping) || shipping.IsFaulted)
            {
                _shipped[node.Id] = shipping = Task.Run(() => ShipAsync(node));
            }
            return shipping;
        }
    }

    // Asks which assemblies the node lacks, and sends only those: a node keeps what any job shipped, by hash.
    private async Task ShipAsync(NodeSlot node)
    {
        var channel = session.Channel(node.Address);
        var missing = await Control.CallAsync(channel, Control.MissingCode, new MissingCodeRequest([.. session.Code.Files.Select(f => f.Hash)]),
            ControlJson.Default.MissingCodeRequest, ControlJson.Default.MissingCodeReply, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        foreach (var hash in missing.Missing)
        {
            await Control.CallAsync(channel, Control.PutCode, new PutCodeRequest(hash, session.Code.Read(hash)),
                ControlJson.Default.PutCodeRequest, ControlJson.Default.Nothing, TimeSpan.FromSeconds(120)).ConfigureAwait(false);
        }
    }

    public void KillStarting() => session.EndJobOnNodes();
}
