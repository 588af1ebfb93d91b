using GenRay.Cluster;
using GenRay.Tests.Support;
using GenRay.Tests.Workers;

namespace GenRay.Tests.Faults;

/// <summary>
/// A value held by a worker that dies is rebuilt by running the task that made it again — recursively, when that
/// task's own arguments were lost too. A value that cannot be rebuilt fails with a clear error; a Put value lives
/// with its owner (the driver) and survives every worker.
/// </summary>
public sealed class LineageTests : RayTest
{
    private readonly FileSignals _files = new();

    protected override void Configure(RayOptions options) => options.WorkerProcesses = 2;

    private static DriverNode Driver => (DriverNode)RayRuntime.Current!.Executor;

    [Fact]
    public void A_value_lost_with_its_worker_is_rebuilt_by_running_its_task_again()
    {
        Start();
        var made = LineageRemotes.Remote.Make(_files.Directory, 7);
        WaitReady(made);

        KillHolderOf(made);

        Assert.Equal(LineageRemotes.Expected(7), Ray.Get(made, TimeSpan.FromSeconds(60)));
        Assert.Equal(2, _files.Lines("make").Length);
    }

    [Fact]
    public void Rebuilding_a_value_first_rebuilds_the_lost_values_its_task_needs()
    {
        Start();
        var made = LineageRemotes.Remote.Make(_files.Directory, 3);
        var reversed = LineageRemotes.Remote.Reverse(_files.Directory, made);
        WaitReady(made);
        WaitReady(reversed);

        KillEveryWorker(); // both values are lost, wherever they were

        var expected = LineageRemotes.Expected(3);
        Array.Reverse(expected);
        Assert.Equal(expected, Ray.Get(reversed, TimeSpan.FromSeconds(60)));
        Assert.Equal(2, _files.Lines("make").Length);
        Assert.Equal(2, _files.Lines("reverse").Length);
    }

    [Fact]
    public void A_lost_value_whose_task_may_not_be_retried_fails_saying_why()
    {
        Start();
        var made = LineageRemotes.Remote.With(new TaskOptions { MaxRetries = 0 }).Make(_files.Directory, 5);
        WaitReady(made);

        var holder = KillHolderOf(made);

        var error = Assert.ThrowsAny<RayException>(() => Ray.Get(made, TimeSpan.FromSeconds(30)));
        Assert.Contains("is lost", error.Message);
        Assert.Contains(holder.Name, error.Message);
        Assert.Contains("MaxRetries = 0", error.Message);
        Assert.Single(_files.Lines("make"));
    }

    [Fact]
    public void A_put_value_lives_with_its_owner_and_survives_every_worker()
    {
        Start();
        var bytes = LineageRemotes.Expected(9);
        var put = Ray.Put(bytes);
        Assert.Equal(Sum(bytes), Ray.Get(WorkerRemotes.Remote.Checksum(put), TimeSpan.FromSeconds(30)));

        KillEveryWorker();

        Assert.Equal(bytes, Ray.Get(put, TimeSpan.FromSeconds(30)));
        Assert.Equal(Sum(bytes), Ray.Get(WorkerRemotes.Remote.Checksum(put), TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public void A_get_on_a_value_whose_owner_died_fails_at_once_saying_so()
    {
        Start();
        var owned = Ray.Get(LineageRemotes.Remote.PutHere(4), TimeSpan.FromSeconds(30)); // Put in a worker: it owns it
        Assert.NotNull(owned.Remote);

        var owner = KillHolderOf(owned);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var error = Assert.ThrowsAny<RayException>(() => Ray.Get(owned, TimeSpan.FromSeconds(30)));
        Assert.Contains("is lost", error.Message);
        Assert.Contains(owner.Name, error.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed.TotalSeconds:F1} s to fail");
    }

    private static long Sum(byte[] bytes) => bytes.Sum(b => (long)b);

    // Waits without fetching: the value stays in the worker that made it.
    private static void WaitReady<T>(ObjectRef<T> value)
    {
        Assert.Single(Ray.Wait([value], timeout: TimeSpan.FromSeconds(60)).Ready);
        Assert.NotNull(value.Remote);
    }

    private static WorkerHandle KillHolderOf(ObjectRef value)
    {
        var holder = Driver.Workers.Single(w => w.Address == value.Remote!.Holder);
        holder.Process.Kill();
        Assert.True(SpinWait.SpinUntil(() => holder.IsLost, TimeSpan.FromSeconds(30)), "the driver did not see the worker die");
        return holder;
    }

    private static void KillEveryWorker()
    {
        var live = Driver.Workers.Where(w => !w.IsLost).ToList();
        foreach (var worker in live)
        {
            worker.Process.Kill();
        }
        Assert.True(SpinWait.SpinUntil(() => live.All(w => w.IsLost), TimeSpan.FromSeconds(30)), "the driver did not see the workers die");
    }

    protected override void AfterShutdown() => _files.Dispose();
}
