namespace GenRay.Cluster.Nodes;

/// <summary>Asks a cluster's head what it knows (for <c>genray status</c> and <c>genray list</c>).</summary>
internal sealed class ClusterClient : IDisposable
{
    public ClusterClient(string headAddress, ClusterCredentials credentials) => throw new NotImplementedException();

    /// <summary>The cluster's nodes, jobs, actors, tasks and objects. Throws <see cref="RayException"/> saying what to do when the head is unreachable or refuses the token.</summary>
    public Task<ClusterStatus> StatusAsync(CancellationToken ct = default) => throw new NotImplementedException();

    public void Dispose()
    {
    }
}
