namespace GenRay.Cluster;

/// <summary>Starts the driver's worker processes: on this machine, or on the nodes of a cluster.</summary>
internal interface IWorkerLauncher
{
    /// <summary>Starts worker <paramref name="index"/>; completes once it serves, with the address to connect to.</summary>
    Task<WorkerStart> StartAsync(int index);

    /// <summary>Ends every process started that is still running (one that had not joined yet included).</summary>
    void KillStarting();
}

/// <summary>A started worker: its process, the address of its endpoint, and the cluster node it runs on (null: this machine).</summary>
internal sealed record WorkerStart(WorkerProcess Process, string Address, Nodes.NodeSlot? Node);
