using System.Diagnostics;
using System.Text.Json;

namespace GenRay.Tests.Cluster;

/// <summary>
/// A real cluster of separate processes on loopback, started through the genray tool as a user would: a head
/// and two nodes (one with a custom resource), each with one CPU. Its own GENRAY_HOME, so `genray stop` at the
/// end stops exactly these daemons (and their workers) and nothing else on the machine.
/// </summary>
public sealed class ClusterFixture : IDisposable
{
    public const string Token = "cluster-test-token";

    public ClusterFixture()
    {
        Home = Directory.CreateTempSubdirectory("genray-cluster-").FullName;
        var head = Cli.Run(Home, Token, "start", "--head", "--port", "0", "--num-cpus", "1", "--token", Token);
        Address = Cli.AddressIn(head);
        Cli.Run(Home, Token, "start", "--address", Address, "--num-cpus", "1", "--token", Token);
        Cli.Run(Home, Token, "start", "--address", Address, "--num-cpus", "1", "--resources", "gpu=1", "--token", Token);
        Cli.WaitForNodes(Home, Token, Address, 3);
    }

    /// <summary>Where this cluster's daemons keep their state (run files, logs, the code cache).</summary>
    public string Home { get; }

    /// <summary>The head's <c>host:port</c>.</summary>
    public string Address { get; }

    /// <summary>The daemons' run files: pid, role, address.</summary>
    public IReadOnlyList<Cli.Daemon> Daemons => Cli.DaemonsIn(Home);

    public void Dispose()
    {
        Cli.Run(Home, Token, "stop");
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
