using System.Diagnostics;
using GenRay.Cluster;
using GenRay.Tests.Support;

namespace GenRay.Tests.Faults;

/// <summary>
/// A worker process dies: the driver starts another in its place, and the tasks it ran are retried within their
/// MaxRetries (a system failure, as in Ray) or fail saying how often they ran.
/// </summary>
public sealed class WorkerDeathTests : RayTest
{
    private readonly FileSignals _files = new();

    protected override void Configure(RayOptions options) => options.WorkerProcesses = 2;

    private static DriverNode Driver => (DriverNode)RayRuntime.Current!.Executor;

    [Fact]
    public void A_dead_worker_is_replaced_by_a_new_process()
    {
        Start();
        var victim = Driver.Workers[0];

        victim.Process.Kill();

        Assert.True(SpinWait.SpinUntil(() => LiveWorkers().Count == 2 && victim.IsLost, TimeSpan.FromSeconds(60)), "no replacement joined");
        var live = LiveWorkers();
        Assert.DoesNotContain(victim.Pid, live.Select(w => w.Pid));
        Assert.Equal(1, Driver.Replacements);
        var pids = Ray.Get(Enumerable.Range(0, 8).Select(_ => FaultRemotes.Remote.ProcessId()).ToList(), TimeSpan.FromSeconds(30));
        Assert.All(pids, pid => Assert.Contains(pid, live.Select(w => w.Pid)));
    }

    [Fact]
    public void A_task_whose_worker_dies_runs_again_in_another_worker()
    {
        Start();
        var task = FaultRemotes.Remote.RecordAndHold(_files.Directory);
        var firstPid = int.Parse(_files.Await("attempt-1"), System.Globalization.CultureInfo.InvariantCulture);

        Process.GetProcessById(firstPid).Kill();

        var secondPid = int.Parse(_files.Await("attempt-2"), System.Globalization.CultureInfo.InvariantCulture);
        _files.Raise("gate");
        Assert.Equal(2, Ray.Get(task, TimeSpan.FromSeconds(30)));
        Assert.NotEqual(firstPid, secondPid);
        Assert.False(File.Exists(_files.PathOf("attempt-3")), "ran a third time");
    }

    [Fact]
    public void With_max_retries_0_a_task_whose_worker_dies_fails_saying_so()
    {
        Start();
        var task = FaultRemotes.Remote.With(new TaskOptions { MaxRetries = 0 }).RecordAndHold(_files.Directory);
        var pid = int.Parse(_files.Await("attempt-1"), System.Globalization.CultureInfo.InvariantCulture);

        Process.GetProcessById(pid).Kill();

        var error = Assert.ThrowsAny<RayException>(() => Ray.Get(task, TimeSpan.FromSeconds(30)));
        Assert.Contains($"pid {pid}", error.Message);
        Assert.Contains("died", error.Message);
        Assert.Contains("MaxRetries = 0", error.Message);
        _files.Raise("gate");
        Assert.False(File.Exists(_files.PathOf("attempt-2")), "retried although MaxRetries = 0");
    }

    [Fact]
    public void A_task_is_retried_at_most_max_retries_times()
    {
        Start();
        var task = FaultRemotes.Remote.With(new TaskOptions { MaxRetries = 1 }).RecordAndHold(_files.Directory);

        Process.GetProcessById(int.Parse(_files.Await("attempt-1"), System.Globalization.CultureInfo.InvariantCulture)).Kill();
        Process.GetProcessById(int.Parse(_files.Await("attempt-2"), System.Globalization.CultureInfo.InvariantCulture)).Kill();

        var error = Assert.ThrowsAny<RayException>(() => Ray.Get(task, TimeSpan.FromSeconds(30)));
        Assert.Contains("ran 2 time(s)", error.Message);
        Assert.Contains("MaxRetries = 1", error.Message);
    }

    [Fact]
    public void With_max_retries_minus_1_a_task_survives_every_death_of_its_worker()
    {
        Start();
        var task = FaultRemotes.Remote.With(new TaskOptions { MaxRetries = -1 }).RecordAndHold(_files.Directory);
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            Process.GetProcessById(int.Parse(_files.Await($"attempt-{attempt}", TimeSpan.FromSeconds(60)), System.Globalization.CultureInfo.InvariantCulture)).Kill();
        }

        _files.Await("attempt-6", TimeSpan.FromSeconds(60));
        _files.Raise("gate");

        Assert.Equal(6, Ray.Get(task, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void A_forced_cancel_ends_the_worker_running_the_task_and_it_is_not_retried()
    {
        Start();
        var task = FaultRemotes.Remote.RecordAndHold(_files.Directory); // ignores its token; MaxRetries = 3
        var pid = int.Parse(_files.Await("attempt-1"), System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.GetProcessById(pid);

        Ray.Cancel(task, force: true);

        Assert.Throws<TaskCancelledException>(() => Ray.Get(task, TimeSpan.FromSeconds(30)));
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "the worker running the task was not ended");
        Assert.True(SpinWait.SpinUntil(() => LiveWorkers().Count == 2, TimeSpan.FromSeconds(60)), "no replacement joined");
        // A retry would have been queued when the worker was lost, before this task: it would have run by now.
        Assert.Equal(4, Ray.Get(Tasks.TaskRemotes.Remote.Add(2, 2), TimeSpan.FromSeconds(30)));
        Assert.False(File.Exists(_files.PathOf("attempt-2")), "a cancelled task was retried");
    }

    private static List<WorkerHandle> LiveWorkers() => Driver.Workers.Where(w => !w.IsLost).ToList();

    protected override void AfterShutdown() => _files.Dispose();
}
