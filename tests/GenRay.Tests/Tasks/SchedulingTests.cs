using System.Diagnostics;
using GenRay.Tests.Support;

namespace GenRay.Tests.Tasks;

/// <summary>Logical CPU accounting: tasks hold their CPUs while they run, and blocking never deadlocks the node.</summary>
public abstract class SchedulingTests : RayTest
{

    [Fact]
    public void Four_one_second_tasks_run_in_parallel_on_four_logical_cpus()
    {
        Start(o => o.NumCpus = 4);
        var watch = Stopwatch.StartNew();

        var refs = Enumerable.Range(0, 4).Select(_ => TaskRemotes.Remote.Sleep(1000)).ToList();
        var results = Ray.Get(refs);

        watch.Stop();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2.5), $"4 × 1 s on 4 CPUs took {watch.Elapsed.TotalSeconds:F2} s");
        Assert.Equal(4, Coordination.PeakOverlap(results));
    }

    [Fact]
    public void A_node_never_runs_more_tasks_than_its_cpus()
    {
        Start(o => o.NumCpus = 2);

        var runs = Ray.Get(Enumerable.Range(0, 8).Select(_ => TaskRemotes.Remote.Sleep(100)).ToList());

        Assert.Equal(2, Coordination.PeakOverlap(runs));
    }

    [Fact]
    public void A_task_asking_for_two_cpus_holds_both()
    {
        Start(o => o.NumCpus = 4);

        var runs = Ray.Get(Enumerable.Range(0, 6).Select(_ => TaskRemotes.Remote.SleepOnTwoCpus(100)).ToList());

        Assert.Equal(2, Coordination.PeakOverlap(runs));
    }

    [Fact]
    public void Half_cpu_tasks_run_two_per_cpu()
    {
        Start(o => o.NumCpus = 1);

        var runs = Ray.Get(Enumerable.Range(0, 6).Select(_ => TaskRemotes.Remote.SleepOnHalfCpu(100)).ToList());

        Assert.Equal(2, Coordination.PeakOverlap(runs));
    }

    [Fact]
    public void Zero_cpu_tasks_are_not_limited_by_cpus()
    {
        Start(o => o.NumCpus = 1);
        var zeroCpu = TaskRemotes.Remote.With(new TaskOptions { NumCpus = 0 });

        var runs = Ray.Get(Enumerable.Range(0, 4).Select(_ => zeroCpu.Sleep(300)).ToList());

        Assert.Equal(4, Coordination.PeakOverlap(runs));
    }

    [Fact]
    public void Custom_resources_limit_concurrency()
    {
        Start(o =>
        {
            o.NumCpus = 4;
            o.Resources["disk"] = 1;
        });

        var runs = Ray.Get(Enumerable.Range(0, 4).Select(_ => TaskRemotes.Remote.SleepOnDisk(100)).ToList());

        Assert.Equal(1, Coordination.PeakOverlap(runs));
    }

    [Fact]
    public void Resources_are_given_back_when_tasks_finish()
    {
        Start(o =>
        {
            o.NumCpus = 3;
            o.Resources["disk"] = 2;
        });

        Ray.Get(Enumerable.Range(0, 10).Select(_ => TaskRemotes.Remote.SleepOnDisk(10)).ToList());
        Ray.Get(Enumerable.Range(0, 10).Select(_ => TaskRemotes.Remote.Sleep(10)).ToList());

        Assert.Equal(Ray.ClusterResources(), Ray.AvailableResources());
        Assert.Equal(3, Ray.ClusterResources()["CPU"]);
        Assert.Equal(2, Ray.ClusterResources()["disk"]);
    }

    [Fact]
    public void A_task_blocked_in_get_gives_its_cpu_to_the_task_it_waits_for()
    {
        Start(o => o.NumCpus = 1);

        // Depth 4 = 15 parents blocked in Get at once on a 1-CPU node: each must give its CPU back.
        Assert.Equal(16, Ray.Get(TaskRemotes.Remote.NestedCount(4), TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void A_task_awaiting_a_ref_gives_its_cpu_to_the_task_it_waits_for()
    {
        Start(o => o.NumCpus = 1);

        Assert.Equal(16, Ray.Get(TaskRemotes.Remote.NestedCountAsync(4), TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Blocking_parents_do_not_starve_the_thread_pool()
    {
        Start(o => o.NumCpus = 2);
        var watch = Stopwatch.StartNew();

        // 24 parents block a pool thread each while their children sleep 100 ms, two at a time (2 CPUs):
        // about 1.2 s of child work. Starving the pool would add ~0.5 s per thread it had to inject.
        var results = Ray.Get(Enumerable.Range(0, 24).Select(_ => TaskRemotes.Remote.ParentOfSleeper(100)).ToList(), TimeSpan.FromSeconds(30));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(6), $"took {watch.Elapsed.TotalSeconds:F2} s");
        Assert.Equal(2, Coordination.PeakOverlap(results));
    }

    [Fact]
    public void After_a_blocked_task_resumes_the_node_accounts_its_cpus_again()
    {
        Start(o => o.NumCpus = 1);

        Ray.Get(TaskRemotes.Remote.NestedCount(3));
        Ray.Get(TaskRemotes.Remote.NestedCountAsync(3));

        // With workers, the children ran on a lease their parent's worker held, which goes back a tick or two after
        // its last task: the count must come back to the node's one CPU, neither lost nor counted twice.
        Assert.True(SpinWait.SpinUntil(() => Ray.AvailableResources()["CPU"] == 1, TimeSpan.FromSeconds(10)),
            $"{Ray.AvailableResources()["CPU"]} CPUs available, not 1");
    }
}

public sealed class SchedulingTestsInProcess : SchedulingTests
{
}

public sealed class SchedulingTestsWorkers : SchedulingTests
{
    protected override void Configure(RayOptions options) => options.WorkerProcesses = 2;
}
