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

    [Fact]
    public void A_task_sent_after_its_argument_was_lost_gets_the_rebuilt_value_without_spending_its_retries()
    {
        Start();
        var made = LineageRemotes.Remote.Make(_files.Directory, 7);
        WaitReady(made);
        KillHolderOf(made);

        // MaxRetries = 0: running it after its argument is rebuilt is no retry of its own.
        var reversed = LineageRemotes.Remote.With(new TaskOptions { MaxRetries = 0 }).Reverse(_files.Directory, made);

        var expected = LineageRemotes.Expected(7);
        Array.Reverse(expected);
        Assert.Equal(expected, Ray.Get(reversed, TimeSpan.FromSeconds(60)));
        Assert.Equal(2, _files.Lines("make").Length);
        Assert.Single(_files.Lines("reverse"));
    }

    [Fact]
    public void A_running_task_whose_nested_ref_is_lost_waits_for_the_rebuilt_value()
    {
        Start();
        var made = LineageRemotes.Remote.MakeGated(_files.Directory, 5);
        _files.Await("make-started");
        // Sent while the maker's worker is busy, so to the other one; it holds the ref, not yet its value. MaxRetries = 0:
        // a lost value it needs is no failure of its own.
        var sum = LineageRemotes.Remote.With(new TaskOptions { MaxRetries = 0 }).SumNested(_files.Directory, new List<ObjectRef<byte[]>> { made });
        var readerPid = _files.Await("reader-started");
        _files.Raise("make-gate");
        WaitReady(made);

        var holder = KillHolderOf(made);
        Assert.NotEqual(holder.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), readerPid);
        _files.Raise("reader-gate"); // the reader now gets a ref whose holder is dead

        Assert.Equal(Sum(LineageRemotes.Expected(5)), Ray.Get(sum, TimeSpan.FromSeconds(60)));
        Assert.Equal(2, _files.Lines("make").Length);
        Assert.Single(_files.Lines("reader")); // its Get waited while the driver rebuilt the value: it never failed
    }

    [Fact]
    public async Task A_rebuilt_task_holds_the_resources_its_original_call_asked_for()
    {
        Start(o => o.NumCpus = 4);
        var made = LineageRemotes.Remote.With(new TaskOptions { NumCpus = 2 }).MakeHolding(_files.Directory, 3);
        WaitReady(made);
        _files.Raise("hold");
        KillHolderOf(made);

        var read = Task.Run(() => Ray.Get(made, TimeSpan.FromSeconds(60)));
        _files.Await("holding"); // the rebuild runs, and holds
        var available = Ray.AvailableResources()["CPU"];
        _files.Raise("gate");

        Assert.Equal(LineageRemotes.Expected(3), await read);
        Assert.Equal(2, available);
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
