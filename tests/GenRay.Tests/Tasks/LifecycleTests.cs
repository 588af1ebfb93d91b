using GenRay.Tests.Support;

namespace GenRay.Tests.Tasks;

/// <summary>Init and Shutdown rules, and the clear errors for using GenRay outside them.</summary>
public sealed class LifecycleTests : RayTest
{

    [Fact]
    public void A_stub_called_before_init_says_to_call_init()
    {
        var error = Assert.Throws<RayException>(() => TaskRemotes.Remote.Add(1, 2));

        Assert.Contains("Ray.Init()", error.Message);
        Assert.False(Ray.IsInitialized);
        Assert.Throws<RayException>(() => Ray.Put(1));
    }

    [Fact]
    public void A_second_init_throws_unless_told_to_ignore_it()
    {
        var first = Start();

        var error = Assert.Throws<RayException>(() => Ray.Init());
        Assert.Contains("IgnoreReinitError", error.Message);
        Assert.Same(first, Ray.Init(new RayOptions { IgnoreReinitError = true }));
        Assert.True(Ray.IsInitialized);
    }

    [Fact]
    public void Shutdown_ends_the_runtime_and_init_can_start_another()
    {
        Start();
        var before = TaskRemotes.Remote.Add(1, 2);
        Assert.Equal(3, Ray.Get(before));

        Ray.Shutdown();
        Ray.Shutdown(); // twice is harmless

        Assert.False(Ray.IsInitialized);
        var error = Assert.Throws<RayException>(() => Ray.Get(before));
        Assert.Contains("shut down", error.Message);
        Start();
        Assert.Equal(5, Ray.Get(TaskRemotes.Remote.Add(2, 3)));
        Assert.Throws<RayException>(() => TaskRemotes.Remote.Add(before, 1));
    }

    [Fact]
    public void Disposing_the_runtime_shuts_it_down()
    {
        using (Ray.Init(new RayOptions { NumCpus = 1 }))
        {
            Assert.True(Ray.IsInitialized);
        }

        Assert.False(Ray.IsInitialized);
    }

    [Fact]
    public async Task Queued_work_fails_at_shutdown_and_blocked_getters_wake_up()
    {
        Start(o => o.NumCpus = 1);
        var started = Signal.Remote.New();
        var running = TaskRemotes.Remote.HoldCpuUntil(started, Signal.Remote.New());
        var queued = TaskRemotes.Remote.Echo(1); // waits for the only CPU
        Coordination.WaitFor(started);
        var getter = Task.Run(() => Assert.Throws<RayException>(() => Ray.Get(running)));

        Ray.Shutdown();

        await getter.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Throws<RayException>(() => Ray.Get(queued));
    }

    [Fact]
    public void Infeasible_requests_fail_at_submit_saying_what_to_change()
    {
        Start(o => o.NumCpus = 1);

        var cpus = Assert.Throws<RayException>(() => TaskRemotes.Remote.SleepOnTwoCpus(1));
        Assert.Contains("2 CPUs", cpus.Message);
        Assert.Contains("has 1", cpus.Message);

        var resource = Assert.Throws<RayException>(() => TaskRemotes.Remote.SleepOnDisk(1));
        Assert.Contains("'disk'", resource.Message);
        Assert.Contains("RayOptions.Resources", resource.Message);

        var perCall = Assert.Throws<RayException>(() => TaskRemotes.Remote.With(new TaskOptions { NumCpus = 8 }).Echo(1));
        Assert.Contains("8 CPUs", perCall.Message);
    }

    [Fact]
    public void Bad_options_are_rejected_at_init()
    {
        Assert.Throws<RayException>(() => Ray.Init(new RayOptions { NumCpus = -1 }));
        Assert.Throws<RayException>(() => Ray.Init(new RayOptions { Resources = { ["CPU"] = 2 } }));
        Assert.Throws<RayException>(() => Ray.Init(new RayOptions { Resources = { ["disk"] = -1 } }));
        Assert.False(Ray.IsInitialized);
    }

    [Fact]
    public void The_node_reports_its_resources()
    {
        Start(o =>
        {
            o.NumCpus = 3;
            o.NumGpus = 1;
            o.Resources["disk"] = 2.5;
        });

        var resources = Ray.ClusterResources();

        Assert.Equal(3, resources["CPU"]);
        Assert.Equal(1, resources["GPU"]);
        Assert.Equal(2.5, resources["disk"]);
        Assert.Equal(3, Ray.Init(new RayOptions { IgnoreReinitError = true }).NumCpus);
    }

    [Fact]
    public void Default_cpus_are_the_machines_cores()
    {
        using var runtime = Ray.Init();

        Assert.Equal(Environment.ProcessorCount, runtime.NumCpus);
    }
}

/// <summary>What only holds when everything runs in this process.</summary>
public sealed class InProcessOnlyTests : RayTest
{
    [Fact]
    public void Without_strict_serialization_a_put_object_is_passed_without_copying()
    {
        Start(o => o.StrictSerialization = false);
        Serialization.Shapes.Shared = new int[1_000_000];

        Assert.True(Ray.Get(Serialization.Shapes.Remote.IsSame(Ray.Put(Serialization.Shapes.Shared))));
        Assert.True(Ray.Get(Serialization.Shapes.Remote.IsSame(Serialization.Shapes.Shared)));
    }
}
