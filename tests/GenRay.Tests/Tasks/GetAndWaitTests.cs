using System.Diagnostics;
using GenRay.Tests.Support;

namespace GenRay.Tests.Tasks;

/// <summary>Reading results: Get with timeouts, GetAsync, await, and Wait's ordering and partial results.</summary>
public abstract class GetAndWaitTests : RayTest
{

    [Fact]
    public void Get_of_a_list_returns_values_in_order()
    {
        Start();

        var values = Ray.Get(Enumerable.Range(0, 100).Select(i => TaskRemotes.Remote.Echo(i)).ToList());

        Assert.Equal(Enumerable.Range(0, 100), values);
    }

    [Fact]
    public void Get_of_a_list_whose_first_refs_finish_last_returns_every_value()
    {
        Start();
        var gate = Signal.Remote.New();
        var started = Signal.Remote.New();
        var blocked = TaskRemotes.Remote.HoldCpuUntil(started, gate);
        // Tasks that wait for the blocked one first, finished ones after them.
        var refs = Enumerable.Range(0, 20).Select(i => TaskRemotes.Remote.Add(blocked, i))
            .Concat(Enumerable.Range(0, 20).Select(i => TaskRemotes.Remote.Echo(100 + i)))
            .ToList();
        Ray.Get(refs.Skip(20).ToList(), TimeSpan.FromSeconds(30));
        Ray.Get(started.Wait(), TimeSpan.FromSeconds(30));
        using var opener = new Timer(_ => gate.Open(), null, TimeSpan.FromMilliseconds(100), Timeout.InfiniteTimeSpan);

        var values = Ray.Get(refs, TimeSpan.FromSeconds(30));

        Assert.Equal(Enumerable.Range(1, 20).Concat(Enumerable.Range(100, 20)), values);
    }

    [Fact]
    public void Get_past_its_timeout_throws_GetTimeoutException()
    {
        Start();
        var gate = Signal.Remote.New();
        var blocked = TaskRemotes.Remote.HoldCpuUntil(Signal.Remote.New(), gate);
        var watch = Stopwatch.StartNew();

        var error = Assert.Throws<GetTimeoutException>(() => Ray.Get(blocked, TimeSpan.FromMilliseconds(200)));

        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(190));
        Assert.Contains(blocked.Id.ToString(), error.Message);
        Assert.Throws<GetTimeoutException>(() => Ray.Get(new[] { TaskRemotes.Remote.Echo(1), blocked }, TimeSpan.FromMilliseconds(100)));
        var finished = TaskRemotes.Remote.Echo(2);
        Ray.Get(finished, TimeSpan.FromSeconds(10));
        watch.Restart();
        // The pending one first: the list's timeout holds for the refs before the last one too.
        Assert.Throws<GetTimeoutException>(() => Ray.Get(new[] { blocked, finished }, TimeSpan.FromMilliseconds(100)));
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(90), $"timed out after {watch.Elapsed.TotalMilliseconds:F0} ms");
        gate.Open();
        Assert.Equal(1, Ray.Get(blocked, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Await_and_GetAsync_return_the_value()
    {
        Start();

        Assert.Equal(3, await TaskRemotes.Remote.Add(1, 2));
        Assert.Equal(7, await Ray.GetAsync(TaskRemotes.Remote.Add(3, 4)));
        var both = await Ray.GetAsync(new[] { TaskRemotes.Remote.Echo(1), TaskRemotes.Remote.Echo(2) });
        Assert.Equal(new[] { 1, 2 }, both);
        await TaskRemotes.Remote.Noop();
    }

    [Fact]
    public async Task A_task_submitted_after_an_await_runs_while_the_code_after_that_await_keeps_its_thread()
    {
        Start();
        // Off xunit's context the code after an await runs on the thread that finished the awaited task: the task it
        // submits next must not wait for it to end (here it waits for that task, polling, in no GenRay wait).
        var polled = Task.Run(async () =>
        {
            var rounds = 0;
            for (var round = 0; round < 50; round++)
            {
                await TaskRemotes.Remote.Noop();
                var submitted = TaskRemotes.Remote.Add(round, 1);
                if (SpinUntilReady(submitted, TimeSpan.FromSeconds(10)) && await submitted == round + 1)
                {
                    rounds++;
                }
            }
            return rounds;
        });

        Assert.Equal(50, await polled.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    // Keeps the thread, looking without blocking: a GenRay wait would let the thread's queued work go elsewhere.
    private static bool SpinUntilReady(ObjectRef<int> value, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (Ray.Wait([value], timeout: TimeSpan.Zero).Ready.Count == 0)
        {
            if (clock.Elapsed > limit)
            {
                return false;
            }
            Thread.SpinWait(50);
        }
        return true;
    }

    [Fact]
    public async Task GetAsync_stops_waiting_when_cancelled()
    {
        Start();
        var gate = Signal.Remote.New();
        var blocked = TaskRemotes.Remote.HoldCpuUntil(Signal.Remote.New(), gate);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Ray.GetAsync(blocked, cancel.Token));

        gate.Open();
        Assert.Equal(1, await blocked);
    }

    [Fact]
    public void Wait_returns_at_most_num_returns_ready_refs_in_input_order()
    {
        Start();
        var refs = Enumerable.Range(0, 5).Select(i => TaskRemotes.Remote.Echo(i)).ToList();
        Ray.Get(refs);

        var result = Ray.Wait(refs, numReturns: 3);

        Assert.Equal(refs.Take(3), result.Ready);
        Assert.Equal(refs.Skip(3), result.NotReady);
    }

    [Fact]
    public void Waiting_on_the_rest_again_and_again_returns_each_ref_once_and_keeps_the_rest_in_order()
    {
        Start();
        var gate = Signal.Remote.New();
        var blocked = TaskRemotes.Remote.HoldCpuUntil(Signal.Remote.New(), gate);
        // Ray's loop (ready, not_ready = ray.wait(not_ready)) over finished refs with a few held ones among them
        // (tasks that wait for the blocked one, holding no CPU meanwhile).
        var refs = Enumerable.Range(0, 60)
            .Select(i => i % 20 == 7 ? TaskRemotes.Remote.Add(blocked, i) : TaskRemotes.Remote.Echo(i))
            .ToList();
        var held = refs.Where((_, i) => i % 20 == 7).ToList();
        Ray.Get(refs.Where((_, i) => i % 20 != 7).ToList(), TimeSpan.FromSeconds(30));
        var returned = new List<ObjectRef<int>>();

        IReadOnlyList<ObjectRef<int>> notReady = refs;
        while (Ray.Wait(notReady, timeout: TimeSpan.Zero) is { Ready.Count: 1 } step)
        {
            Assert.Equal(notReady.First(r => !held.Contains(r)), step.Ready[0]); // the first finished one
            Assert.Equal(notReady.Where(r => r != step.Ready[0]), step.NotReady);
            returned.AddRange(step.Ready);
            notReady = step.NotReady;
        }
        Assert.Equal(refs.Except(held), returned);
        Assert.Equal(held, notReady);

        gate.Open();
        while (notReady.Count > 0)
        {
            var (ready, rest) = Ray.Wait(notReady, timeout: TimeSpan.FromSeconds(30));
            Assert.Single(ready);
            Assert.Equal(notReady.Except(ready), rest);
            returned.AddRange(ready);
            notReady = rest;
        }
        Assert.Equal(refs.Count, returned.Distinct().Count());
        Assert.Equal(refs.ToHashSet(), returned.ToHashSet());
    }

    [Fact]
    public void Waiting_over_scattered_pending_refs_with_varied_num_returns_keeps_what_a_plain_list_would()
    {
        Start();
        var gate = Signal.Remote.New();
        var blocked = TaskRemotes.Remote.HoldCpuUntil(Signal.Remote.New(), gate);
        var random = new Random(7);
        var heldAt = Enumerable.Range(0, 300).Select(_ => random.Next(4) == 0).ToArray();
        // Tasks that wait for the blocked one (holding no CPU meanwhile), scattered among finished ones.
        var refs = Enumerable.Range(0, 300)
            .Select(i => heldAt[i] ? TaskRemotes.Remote.Add(blocked, i) : TaskRemotes.Remote.Echo(i))
            .ToList();
        var held = refs.Where((_, i) => heldAt[i]).ToHashSet();
        Ray.Get(refs.Where((_, i) => !heldAt[i]).ToList(), TimeSpan.FromSeconds(30));
        var model = refs.ToList(); // what Ray.Wait's rest must equal, as a plain list

        IReadOnlyList<ObjectRef<int>> notReady = refs;
        while (model.Count > held.Count)
        {
            var wanted = Math.Min(random.Next(1, 6), model.Count - held.Count);
            var (ready, rest) = Ray.Wait(notReady, numReturns: wanted, timeout: TimeSpan.Zero);

            var expected = model.Where(r => !held.Contains(r)).Take(wanted).ToList();
            Assert.Equal(expected, ready);
            model.RemoveAll(expected.Contains);
            Assert.Equal(model, rest);
            Assert.Equal(model.Count, rest.Count);
            Assert.Equal(model, Enumerable.Range(0, rest.Count).Select(i => rest[i])); // by index as well
            Assert.Throws<ArgumentOutOfRangeException>(() => rest[rest.Count]);
            notReady = rest;
        }
        Assert.Equal(held.OrderBy(refs.IndexOf), notReady);

        gate.Open();
        Assert.Equal(held.Count, Ray.Wait(notReady, numReturns: notReady.Count, timeout: TimeSpan.FromSeconds(30)).Ready.Count);
    }

    [Fact]
    public void Wait_for_many_returns_the_first_ones_ready_in_input_order()
    {
        Start();
        var refs = Enumerable.Range(0, 100).Select(i => TaskRemotes.Remote.Echo(i)).ToList();
        Ray.Get(refs);

        var (ready, notReady) = Ray.Wait(refs, numReturns: 70);

        Assert.Equal(refs.Take(70), ready);
        Assert.Equal(refs.Skip(70), notReady);
        Assert.Equal(refs.Skip(70).Take(20), Ray.Wait(notReady, numReturns: 20).Ready);
    }

    [Fact]
    public void Wait_with_a_timeout_returns_what_is_ready()
    {
        Start();
        var gate = Signal.Remote.New();
        var blocked = TaskRemotes.Remote.HoldCpuUntil(Signal.Remote.New(), gate);
        var done = TaskRemotes.Remote.Echo(1);
        Ray.Get(done);
        var watch = Stopwatch.StartNew();

        var result = Ray.Wait([blocked, done], numReturns: 2, timeout: TimeSpan.FromMilliseconds(200));

        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(190));
        Assert.Equal([done], result.Ready);
        Assert.Equal([blocked], result.NotReady);

        var immediate = Ray.Wait([blocked], timeout: TimeSpan.Zero);
        Assert.Empty(immediate.Ready);
        gate.Open();
    }

    [Fact]
    public void Wait_counts_failed_objects_as_ready()
    {
        Start();
        var failed = TaskRemotes.Remote.Fail("x");

        var result = Ray.Wait([failed], timeout: TimeSpan.FromSeconds(10));

        Assert.Equal([failed], result.Ready);
    }

    [Fact]
    public void Wait_rejects_bad_arguments()
    {
        Start();
        var one = TaskRemotes.Remote.Echo(1);

        Assert.Throws<ArgumentOutOfRangeException>(() => Ray.Wait([one], numReturns: 2));
        Assert.Throws<ArgumentException>(() => Ray.Wait([one, one]));
    }
}

public sealed class GetAndWaitTestsInProcess : GetAndWaitTests
{
}

public sealed class GetAndWaitTestsWorkers : GetAndWaitTests
{
    protected override void Configure(RayOptions options) => options.WorkerProcesses = 2;
}

/// <summary>
/// Tests that size the node themselves (RayOptions.NumCpus): in-process and with this machine's worker processes.
/// A cluster's nodes are sized when they are started, so the cluster mode runs the rest of <see cref="GetAndWaitTests"/>.
/// </summary>
public abstract class GetAndWaitOnSizedNodeTests : RayTest
{
    [Fact]
    public void Wait_returns_as_soon_as_enough_are_ready_keeping_input_order()
    {
        Start(o => o.NumCpus = 4);
        var slow = TaskRemotes.Remote.Sleep(2000);
        var fast1 = TaskRemotes.Remote.Sleep(10);
        var fast2 = TaskRemotes.Remote.Sleep(20);
        Ray.Get([fast1, fast2]); // started (and done) before timing the Wait
        var watch = Stopwatch.StartNew();

        var (ready, notReady) = Ray.Wait([slow, fast1, fast2], numReturns: 2);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1.5));
        Assert.Equal([fast1, fast2], ready);
        Assert.Equal([slow], notReady);
    }
}

public sealed class GetAndWaitOnSizedNodeTestsInProcess : GetAndWaitOnSizedNodeTests
{
}

public sealed class GetAndWaitOnSizedNodeTestsWorkers : GetAndWaitOnSizedNodeTests
{
    protected override void Configure(RayOptions options) => options.WorkerProcesses = 2;
}
