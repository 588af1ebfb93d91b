namespace GenRay.Tests.Cluster;

/// <summary>
/// A real cluster of separate processes, started through the genray tool as a user would, in a GENRAY_HOME of
/// its own, so `genray stop` at the end stops exactly these daemons (and their workers) and nothing else.
/// </summary>
public class TestCluster : IDisposable
{
    public const string Token = "cluster-test-token";

    /// <summary>Starts a head (<paramref name="head"/> are its extra options) and one node per entry of <paramref name="nodes"/>.</summary>
    public TestCluster(string[] head, params (string[] Options, string? Netns)[] nodes)
        : this(head, [], nodes)
    {
    }

    /// <summary>As above; <paramref name="client"/> are the options `genray status` needs to reach the head (TLS files).</summary>
    public TestCluster(string[] head, string[] client, params (string[] Options, string? Netns)[] nodes)
    {
        Client = client;
        Home = Directory.CreateTempSubdirectory("genray-cluster-").FullName;
        try
        {
            Address = Cli.AddressIn(Cli.Run(Home, Token, ["start", "--head", "--port", "0", "--token", Token, .. head], check: true).Output);
            foreach (var (options, netns) in nodes)
            {
                Cli.Run(Home, Token, ["start", "--address", Address, "--token", Token, .. options], check: true, netns: netns);
            }
            Cli.WaitForNodes(Home, Token, Address, nodes.Length + 1, client).Dispose();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Options `genray status` and `genray list` need besides the address and token.</summary>
    public string[] Client { get; }

    /// <summary>Where this cluster's daemons keep their state (run files, logs, the code cache).</summary>
    public string Home { get; }

    /// <summary>The head's <c>host:port</c>.</summary>
    public string Address { get; } = "";

    /// <summary>The daemons' run files: pid, role, address.</summary>
    public IReadOnlyList<Cli.Daemon> Daemons => Cli.DaemonsIn(Home);

    public virtual void Dispose()
    {
        Cli.Run(Home, Token, ["stop"], check: false);
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
        }
        GC.SuppressFinalize(this);
    }
}

/// <summary>The cluster most cluster tests share: a head and two nodes (one with a custom resource), one CPU each.</summary>
public sealed class ClusterFixture() : TestCluster(["--num-cpus", "1"], (["--num-cpus", "1"], null), (["--num-cpus", "1", "--resources", "gpu=1"], null))
{
    public new const string Token = TestCluster.Token;
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
