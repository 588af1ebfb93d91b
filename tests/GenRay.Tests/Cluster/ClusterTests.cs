using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using GenRay.Tests.Support;

namespace GenRay.Tests.Cluster;

/// <summary>What only a cluster has: several nodes, their resources, the head's view, the cluster's token.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(ClusterFixture cluster) : RayTest
{
    private static readonly TaskOptions OnGpu = new() { Resources = new Dictionary<string, double> { ["gpu"] = 1 } };

    protected override void Configure(RayOptions options) => ClusterMode.Configure(options, cluster);

    private int DaemonWith(string resource)
    {
        using var status = Cli.Status(cluster.Home, ClusterFixture.Token, cluster.Address);
        var address = status.RootElement.GetProperty("nodes").EnumerateArray()
            .Single(n => n.GetProperty("total").TryGetProperty(resource, out _)).GetProperty("address").GetString();
        return cluster.Daemons.Single(d => d.Address == address).Pid;
    }

    [Fact]
    public void The_driver_sees_the_cluster_resources_of_every_node()
    {
        var ray = Start();

        var resources = ray.ClusterResources();
        Assert.Equal(3, resources["CPU"]);
        Assert.Equal(1, resources["gpu"]);
    }

    [Fact]
    public void Load_spreads_over_every_node()
    {
        Start();

        var daemons = Ray.Get(Enumerable.Range(0, 9).Select(_ => ClusterRemotes.Remote.DaemonPid(300)).ToList(), TimeSpan.FromSeconds(60));

        Assert.Equal(cluster.Daemons.Select(d => d.Pid).Order(), daemons.Distinct().Order());
    }

    [Fact]
    public void Tasks_that_need_a_custom_resource_run_only_on_the_node_that_has_it()
    {
        Start();
        var gpuNode = DaemonWith("gpu");

        var daemons = Ray.Get(Enumerable.Range(0, 4).Select(_ => ClusterRemotes.Remote.With(OnGpu).DaemonPid(50)).ToList(), TimeSpan.FromSeconds(60));

        Assert.All(daemons, pid => Assert.Equal(gpuNode, pid));
    }

    [Fact]
    public void A_request_no_node_can_hold_fails_at_submit_saying_why()
    {
        Start();

        var tooMuch = Assert.Throws<RayException>(() => ClusterRemotes.Remote.With(new TaskOptions { Resources = new Dictionary<string, double> { ["gpu"] = 2 } }).DaemonPid(0));
        Assert.Contains("gpu", tooMuch.Message);
        var tooBig = Assert.Throws<RayException>(() => ClusterRemotes.Remote.With(new TaskOptions { NumCpus = 2 }).DaemonPid(0));
        Assert.Contains("no node of the cluster has all it asks for", tooBig.Message);
        var unknown = Assert.Throws<RayException>(() => ClusterRemotes.Remote.With(new TaskOptions { Resources = new Dictionary<string, double> { ["tpu"] = 1 } }).DaemonPid(0));
        Assert.Contains("tpu", unknown.Message);
    }

    [Fact]
    public void Objects_move_node_to_node_and_to_the_driver()
    {
        Start();
        var gpuNode = DaemonWith("gpu");

        // Made on a node without the resource, read on the one with it: the value crosses between two nodes' workers.
        var made = ClusterRemotes.Remote.With(new TaskOptions { NumCpus = 1 }).Filled(4 << 20, 3);
        var (sum, readOn) = Ray.Get(ClusterRemotes.Remote.With(OnGpu).SumThere(made), TimeSpan.FromSeconds(60));

        Assert.Equal(3L * (4 << 20), sum);
        Assert.Equal(gpuNode, readOn);
        Assert.Equal(4 << 20, Ray.Get(made).Length);
    }

    [Fact]
    public void An_actor_that_needs_a_custom_resource_lives_on_the_node_that_has_it()
    {
        Start();
        var gpuNode = DaemonWith("gpu");

        var counter = NodeCounter.Remote.With(new ActorOptions { Resources = new Dictionary<string, double> { ["gpu"] = 1 } }).New();

        Assert.Equal(gpuNode, Ray.Get(counter.DaemonPid(), TimeSpan.FromSeconds(60)));
        Assert.Equal(1, Ray.Get(counter.Next()));
    }

    [Fact]
    public void The_head_reports_the_running_job_its_actors_and_the_nodes()
    {
        Start();
        var counter = NodeCounter.Remote.With(new ActorOptions { Name = "status-counter" }).New();
        Ray.Get(counter.Next(), TimeSpan.FromSeconds(60));

        var deadline = Stopwatch.StartNew();
        JsonElement actor;
        while (true)
        {
            using var status = Cli.Status(cluster.Home, ClusterFixture.Token, cluster.Address);
            var root = status.RootElement.Clone();
            Assert.Equal(3, root.GetProperty("nodes").EnumerateArray().Count(n => n.GetProperty("state").GetString() == "ALIVE"));
            Assert.Contains(root.GetProperty("jobs").EnumerateArray(), j => j.GetProperty("state").GetString() == "RUNNING");
            var found = root.GetProperty("actors").EnumerateArray().Where(a => a.GetProperty("name").GetString() == "status-counter").ToList();
            if (found.Count == 1 && found[0].GetProperty("state").GetString() == "ALIVE")
            {
                actor = found[0];
                break;
            }
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), $"the head never listed the actor:\n{root}");
            Thread.Sleep(300);
        }
        Assert.Equal("NodeCounter", actor.GetProperty("class").GetString());

        var table = Cli.Run(cluster.Home, ClusterFixture.Token, "list", "actors", "--address", cluster.Address);
        Assert.Contains("status-counter", table);
    }

    [Fact]
    public void The_head_lists_results_held_by_workers_with_their_node_and_process_until_they_are_dropped()
    {
        Start();
        var gpuDaemon = DaemonWith("gpu");
        string gpuNode;
        using (var status = Cli.Status(cluster.Home, ClusterFixture.Token, cluster.Address))
        {
            gpuNode = status.RootElement.GetProperty("nodes").EnumerateArray()
                .Single(n => n.GetProperty("total").TryGetProperty("gpu", out _)).GetProperty("id").GetString()!;
        }

        // 2 MiB each: too large to travel inside the result message, so each stays in the gpu node's worker that made it.
        var (kept, keptId) = Made(1);
        var (dropped, droppedId) = Made(2);

        var listed = ObjectsOnceListed(o => o.ContainsKey(keptId) && o.ContainsKey(droppedId));
        var held = listed[keptId];
        Assert.True(held.GetProperty("size").GetInt64() >= 2 << 20, held.ToString());
        Assert.Equal(gpuNode, held.GetProperty("node").GetString());
        var holder = int.Parse(held.GetProperty("holder").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.NotEqual(Environment.ProcessId, holder);
        Assert.Equal(gpuDaemon, ClusterRemotes.ParentOf(holder)); // a worker the gpu node's daemon started

        // Once the driver's ref is collected its lease goes back and the worker lets the value go; the kept one stays.
        dropped.Value = null;
        ObjectsOnceListed(o =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            return !o.ContainsKey(droppedId) && o.ContainsKey(keptId);
        });
        GC.KeepAlive(kept);

        // A job that ended holds nothing: the head drops its objects when the driver says it ends.
        Ray.Shutdown();
        Assert.DoesNotContain(keptId, ListObjects().Keys);

        // The ref lives only in the box (not in this frame's temporaries), so clearing the box makes it collectable.
        static (StrongBox<ObjectRef<byte[]>?> Ref, string Id) Made(byte fill)
        {
            var made = ClusterRemotes.Remote.With(OnGpu).Filled(2 << 20, fill);
            Assert.Single(Ray.Wait([made], timeout: TimeSpan.FromSeconds(60)).Ready);
            return (new StrongBox<ObjectRef<byte[]>?>(made), made.Id.ToString());
        }
    }

    private Dictionary<string, JsonElement> ListObjects()
    {
        using var json = JsonDocument.Parse(Cli.Run(cluster.Home, ClusterFixture.Token, "list", "objects", "--json", "--address", cluster.Address));
        return json.RootElement.EnumerateArray().ToDictionary(o => o.GetProperty("id").GetString()!, o => o.Clone());
    }

    // Polls `genray list objects --json` until the listing satisfies the condition: the driver reports once a second.
    private Dictionary<string, JsonElement> ObjectsOnceListed(Func<Dictionary<string, JsonElement>, bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var objects = ListObjects();
            if (condition(objects))
            {
                return objects;
            }
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(15), $"the head's objects never matched; last listed:\n{string.Join('\n', objects.Values)}");
            Thread.Sleep(200);
        }
    }

    [Fact]
    public void A_driver_without_the_token_or_with_a_wrong_one_is_refused_and_the_head_logs_it()
    {
        foreach (var token in new[] { "not-the-token", "" })
        {
            Environment.SetEnvironmentVariable("GENRAY_TOKEN", token);
            try
            {
                var error = Assert.Throws<RayException>(() => Ray.Init(new RayOptions { Address = cluster.Address }));
                Assert.Contains("token", error.Message);
                Assert.Contains("GENRAY_TOKEN", error.Message);
            }
            finally
            {
                Environment.SetEnvironmentVariable("GENRAY_TOKEN", ClusterFixture.Token);
            }
        }
        var head = cluster.Daemons.Single(d => d.Role == "head");
        var log = File.ReadAllText(Directory.GetFiles(Path.Combine(cluster.Home, "logs"), $"*{head.Pid}*").Single());
        Assert.Contains("presented a wrong cluster token", log);
        Assert.Contains("presented no cluster token", log);

        var (exit, output) = Cli.Run(cluster.Home, "not-the-token", ["status", "--address", cluster.Address], check: false);
        Assert.NotEqual(0, exit);
        Assert.Contains("token", output);
    }

    [Fact]
    public void A_node_of_another_GenRay_version_is_refused_at_registration_naming_both_versions()
    {
        GenRay.Cluster.Nodes.ClusterSecurity.Use(new(ClusterFixture.Token, null, null, null));
        using var channel = GenRay.Cluster.NodeServer.OpenChannel(cluster.Address);
        var request = new GenRay.Cluster.Nodes.RegisterRequest("127.0.0.1:1", false, new() { ["CPU"] = 1 }, "0.0.1-other (protocol 1)");

        var error = Assert.Throws<RayException>(() => GenRay.Cluster.Nodes.Control.Call(channel, GenRay.Cluster.Nodes.Control.Register, request,
            GenRay.Cluster.Nodes.ControlJson.Default.RegisterRequest, GenRay.Cluster.Nodes.ControlJson.Default.RegisterReply, TimeSpan.FromSeconds(10)));

        Assert.Contains("0.0.1-other (protocol 1)", error.Message);
        Assert.Contains(GenRay.Cluster.Nodes.Control.Version, error.Message);
        using var status = Cli.Status(cluster.Home, ClusterFixture.Token, cluster.Address);
        Assert.DoesNotContain(status.RootElement.GetProperty("nodes").EnumerateArray(), n => n.GetProperty("address").GetString() == "127.0.0.1:1");
    }

    [Fact]
    public async Task The_seed_tutorial_runs_as_a_driver_against_the_cluster()
    {
        var tutorial = typeof(ClusterTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "OtherApplication").Value!;
        var (exit, output, error) = await Cli.RunDriverAsync(tutorial, cluster.Address, "--fast");

        Assert.True(exit == 0, $"exit {exit}\n{output}\n{error}");
        Assert.Contains("(1000, 1000)", output);
        Assert.Contains("result=499500", output);
        Assert.Contains("GENRAY_ADDRESS", error); // its NumCpus was set aside, saying so
    }
}
