namespace GenRay.Cluster.Nodes;

/// <summary>
/// A job's worker process on a node (<c>genray __worker</c>): loads the job's shipped assemblies into a collectible
/// load context of the job's own, and serves as one of the job's workers until the driver is done.
/// </summary>
internal static class JobWorkerHost
{
    public static int Run(string[] args) => throw new NotImplementedException();
}
