namespace GenRay.Cluster.Nodes;

/// <summary>
/// A node daemon (Ray's raylet, and on the head also its GCS): registers with the head and heartbeats, starts
/// and ends the worker processes jobs ask for, caches the code jobs ship.
/// </summary>
internal static class NodeDaemon
{
    /// <summary>
    /// Runs until <paramref name="stop"/> is cancelled (or the head refuses this node); calls <paramref name="ready"/>
    /// with the address others reach it at once it serves. Returns the process exit code: 0 when stopped, 1 when refused.
    /// </summary>
    public static int Run(DaemonOptions options, Action<string> ready, CancellationToken stop) => throw new NotImplementedException();
}
