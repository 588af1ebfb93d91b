using System.Diagnostics;
using GenRay.Tests.Support;

namespace GenRay.Tests.Cluster;

/// <summary>
/// Nodes on their own network hosts: each node runs in a network namespace of its own with its own address (a
/// veth pair to this host, which routes between them), the head and the driver on this host. Values cross
/// between "machines" over the network, not through shared memory (which needs loopback addresses).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class NetworkNamespaceTests : RayTest
{
    private static readonly TaskOptions OnA = new() { Resources = new Dictionary<string, double> { ["host_a"] = 1 } };
    private static readonly TaskOptions OnB = new() { Resources = new Dictionary<string, double> { ["host_b"] = 1 } };

    private readonly Namespaces _hosts = new();
    private readonly TestCluster _cluster;

    public NetworkNamespaceTests()
    {
        try
        {
            _cluster = new TestCluster(["--num-cpus", "1", "--node-ip-address", Namespaces.HeadAddress],
                (["--num-cpus", "1", "--resources", "host_a=1", "--node-ip-address", "10.213.1.2"], "genray-a"),
                (["--num-cpus", "1", "--resources", "host_b=1", "--node-ip-address", "10.213.2.2"], "genray-b"));
        }
        catch
        {
            _hosts.Dispose();
            throw;
        }
    }

    protected override void Configure(RayOptions options)
    {
        Environment.SetEnvironmentVariable("GENRAY_TOKEN", TestCluster.Token);
        options.NumCpus = null;
        options.Address = _cluster.Address;
    }

    protected override void AfterShutdown()
    {
        _cluster.Dispose();
        _hosts.Dispose();
    }

    [Fact]
    public void Nodes_in_their_own_network_namespaces_run_work_and_move_objects_between_them()
    {
        Start();

        using (var status = Cli.Status(_cluster.Home, TestCluster.Token, _cluster.Address))
        {
            var addresses = status.RootElement.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("address").GetString()!.Split(':')[0]).Order().ToList();
            Assert.Equal(["10.213.1.1", "10.213.1.2", "10.213.2.2"], addresses);
        }
        var made = ClusterRemotes.Remote.With(OnA).Filled(4 << 20, 7); // held by a worker in namespace a
        var (sum, _) = Ray.Get(ClusterRemotes.Remote.With(OnB).SumThere(made), TimeSpan.FromSeconds(60)); // read in namespace b

        Assert.Equal(7L * (4 << 20), sum);
        Assert.Equal(4 << 20, Ray.Get(made, TimeSpan.FromSeconds(60)).Length); // and by the driver, on this host
        var put = Ray.Put(Enumerable.Repeat((byte)1, 2 << 20).ToArray()); // held by the driver, read in namespace a
        Assert.Equal(2L << 20, Ray.Get(ClusterRemotes.Remote.With(OnA).SumThere(put), TimeSpan.FromSeconds(60)).Sum);
    }

    /// <summary>Two network namespaces, genray-a (10.213.1.2) and genray-b (10.213.2.2), each wired to this host by a veth pair.</summary>
    private sealed class Namespaces : IDisposable
    {
        public const string HeadAddress = "10.213.1.1";

        private readonly string _forwarding = File.ReadAllText("/proc/sys/net/ipv4/ip_forward").Trim();

        public Namespaces()
        {
            Dispose(); // what an interrupted run left
            try
            {
                foreach (var (name, subnet) in new[] { ("genray-a", 1), ("genray-b", 2) })
                {
                    Ip($"netns add {name}");
                    Ip($"link add {name}-h type veth peer name {name}-n");
                    Ip($"link set {name}-n netns {name}");
                    Ip($"addr add 10.213.{subnet}.1/24 dev {name}-h");
                    Ip($"link set {name}-h up");
                    Ip($"netns exec {name} ip addr add 10.213.{subnet}.2/24 dev {name}-n");
                    Ip($"netns exec {name} ip link set {name}-n up");
                    Ip($"netns exec {name} ip link set lo up");
                    Ip($"netns exec {name} ip route add default via 10.213.{subnet}.1");
                }
                File.WriteAllText("/proc/sys/net/ipv4/ip_forward", "1"); // this host routes between the two
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        private static void Ip(string arguments, bool check = true)
        {
            using var ip = Process.Start(new ProcessStartInfo("ip", arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var error = ip.StandardError.ReadToEnd();
            ip.WaitForExit();
            if (check && ip.ExitCode != 0)
            {
                throw new InvalidOperationException($"ip {arguments} failed: {error} (these tests make network namespaces, which needs root)");
            }
        }

        public void Dispose()
        {
            foreach (var name in new[] { "genray-a", "genray-b" })
            {
                Ip($"netns del {name}", check: false); // takes its end of the veth pair, and so the pair, with it
                Ip($"link del {name}-h", check: false);
            }
            File.WriteAllText("/proc/sys/net/ipv4/ip_forward", _forwarding);
        }
    }
}
