using System.Diagnostics;
using GenRay.Tests.Support;

namespace GenRay.Tests.Cluster;

/// <summary>A node killed while a job runs: its tasks retried elsewhere, its actors restarted elsewhere, its objects rebuilt.</summary>
[Collection(ClusterCollection.Name)]
public sealed class NodeDeathTests : RayTest
{
    private readonly TestCluster _cluster = new(["--num-cpus", "1"], (["--num-cpus", "1"], null), (["--num-cpus", "1"], null));

    protected override void Configure(RayOptions options)
    {
        Environment.SetEnvironmentVariable("GENRAY_TOKEN", TestCluster.Token);
        options.NumCpus = null;
        options.Address = _cluster.Address;
    }

    protected override void AfterShutdown() => _cluster.Dispose();

    [Fact]
    public void A_node_killed_mid_run_loses_nothing()
    {
        Start();
        var head = _cluster.Daemons.Single(d => d.Role == "head").Pid;
        var counters = Enumerable.Range(0, 3)
            .Select(_ => NodeCounter.Remote.With(new ActorOptions { MaxRestarts = -1, MaxTaskRetries = -1 }).New()).ToList();
        var homes = Ray.Get(counters.Select(c => c.DaemonPid()).ToList(), TimeSpan.FromSeconds(60));
        Assert.Equal(3, homes.Distinct().Count()); // one actor per node
        var victim = homes.First(pid => pid != head);
        var doomed = counters[homes.IndexOf(victim)];
        Assert.Equal(1, Ray.Get(doomed.Next()));

        // Values made on every node (some on the victim's), and tasks in flight when it dies.
        var made = Enumerable.Range(0, 6).Select(i => ClusterRemotes.Remote.Filled(1 << 20, (byte)i)).ToList();
        Ray.Wait(made, numReturns: made.Count, timeout: TimeSpan.FromSeconds(60));
        var inFlight = Enumerable.Range(0, 30).Select(_ => ClusterRemotes.Remote.DaemonPid(300)).ToList();
        Thread.Sleep(500);

        Process.GetProcessById(victim).Kill(entireProcessTree: true); // the node and its workers, as when its machine dies

        var ran = Ray.Get(inFlight, TimeSpan.FromSeconds(120));
        Assert.Equal(30, ran.Length); // every task done, those on the dead node retried elsewhere
        for (var i = 0; i < made.Count; i++)
        {
            var value = Ray.Get(made[i], TimeSpan.FromSeconds(60)); // rebuilt by lineage when its holder died
            Assert.Equal(1 << 20, value.Length);
            Assert.All(value, b => Assert.Equal((byte)i, b));
        }
        var restartedOn = Ray.Get(doomed.DaemonPid(), TimeSpan.FromSeconds(60));
        Assert.NotEqual(victim, restartedOn); // restarted on a live node (with a fresh state, as in Ray)
        Assert.Equal(1, Ray.Get(doomed.Next()));
        Assert.Equal(2, Ray.Get(doomed.Next()));
        Assert.DoesNotContain(victim, Ray.Get(Enumerable.Range(0, 12).Select(_ => ClusterRemotes.Remote.DaemonPid(50)).ToList(), TimeSpan.FromSeconds(60)));

        // The head declares the silent node dead within its 5 s.
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var status = Cli.Status(_cluster.Home, TestCluster.Token, _cluster.Address);
            var states = status.RootElement.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("state").GetString()).ToList();
            if (states.Count(s => s == "DEAD") == 1 && states.Count(s => s == "ALIVE") == 2)
            {
                break;
            }
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), string.Join(", ", states));
            Thread.Sleep(250);
        }
    }
}
