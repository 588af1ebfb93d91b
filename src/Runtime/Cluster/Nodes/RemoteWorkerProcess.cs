namespace GenRay.Cluster.Nodes;

/// <summary>A worker process a cluster node started for this driver: ended, and asked about, through that node's daemon.</summary>
internal sealed class RemoteWorkerProcess(ClusterSession session, NodeSlot node, int pid) : WorkerProcess
{
    private volatile bool _exited;
    private int? _exitCode;

    public override int Id => pid;

    public override bool IsLocal => false;

    public override bool HasExited => _exited || Ask(Control.WorkerState);

    public override int? ExitCode => _exitCode;

    public override bool WaitForExit(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!HasExited)
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }
            Thread.Sleep(50);
        }
        return true;
    }

    public override void Kill() => Ask(Control.KillWorker);

    // The driver's connection closing is the lifeline of a remote worker: it exits when its driver is done.
    public override void EndLifeline()
    {
    }

    // True once the process is known to have exited; a node that cannot be reached counts its workers as gone.
    private bool Ask(Grpc.Core.Method<byte[], byte[]> method)
    {
        try
        {
            var state = Control.Call(session.Channel(node.Address), method, new WorkerRequest(session.JobId, pid),
                ControlJson.Default.WorkerRequest, ControlJson.Default.WorkerStateReply, TimeSpan.FromSeconds(5));
            _exitCode = state.ExitCode;
            _exited = !state.Running;
        }
        catch (RayException)
        {
            _exited = true;
        }
        return _exited;
    }
}
