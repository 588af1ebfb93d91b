using Grpc.Net.Client;

namespace GenRay.Cluster.Nodes;

/// <summary>Asks a cluster's head what it knows (for <c>genray status</c> and <c>genray list</c>).</summary>
internal sealed class ClusterClient : IDisposable
{
    private readonly GrpcChannel _channel;

    public ClusterClient(string headAddress, ClusterCredentials credentials)
    {
        ClusterSecurity.Use(credentials);
        _channel = NodeServer.OpenChannel(headAddress);
    }

    /// <summary>The cluster's nodes, jobs, actors, tasks and objects. Throws <see cref="RayException"/> saying what to do when the head is unreachable or refuses the token.</summary>
    public Task<ClusterStatus> StatusAsync(CancellationToken ct = default) =>
        Control.CallAsync(_channel, Control.Status, new Nothing(), ControlJson.Default.Nothing, ControlJson.Default.ClusterStatus, TimeSpan.FromSeconds(10), ct);

    public void Dispose() => _channel.Dispose();
}
