namespace GenRay.Cluster.Nodes;

/// <summary>
/// How a node daemon runs (<c>genray start</c>): the head when <see cref="HeadAddress"/> is null, otherwise a node
/// that joins the head there.
/// </summary>
internal sealed record DaemonOptions
{
    /// <summary><c>host:port</c> of the head to join; null: this daemon is the head.</summary>
    public string? HeadAddress { get; init; }

    /// <summary>The address this node listens on and gives others (Ray's <c>--node-ip-address</c>). Default 127.0.0.1.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The port to listen on; 0 picks a free one. The head's default is 6380.</summary>
    public int Port { get; init; }

    public double? NumCpus { get; init; }

    public Dictionary<string, double> Resources { get; init; } = new(StringComparer.Ordinal);

    public ClusterCredentials Credentials { get; init; } = ClusterCredentials.FromEnvironment();

    /// <summary>How to start a job's worker process on this node (the genray tool's hidden <c>__worker</c> command).</summary>
    public required Func<System.Diagnostics.ProcessStartInfo> WorkerCommand { get; init; }

    /// <summary>Where shipped assemblies are cached, by content hash. Default: <c>$GENRAY_HOME/cache</c> or <c>~/.genray/cache</c>.</summary>
    public string? CacheDirectory { get; init; }
}
