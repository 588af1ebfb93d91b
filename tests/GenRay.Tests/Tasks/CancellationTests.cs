using GenRay.Tests.Actors;
using GenRay.Tests.Faults;
using GenRay.Tests.Support;

namespace GenRay.Tests.Tasks;

/// <summary>Ray.Cancel: queued tasks never run, running ones see their token, Get throws TaskCancelledException.</summary>
public abstract class CancellationTests : RayTest
{

    [Fact]
    public void A_queued_task_that_is_cancelled_never_runs()
    {
        Start(o => o.NumCpus = 1);
        var started = Signal.Remote.New();
        var gate = Signal.Remote.New();
        var runs = Tally.Remote.New();
        var blocker = TaskRemotes.Remote.HoldCpuUntil(started, gate);
        Coordination.WaitFor(started);
        var queued = TaskRemotes.Remote.CountRun(runs);

        Ray.Cancel(queued);
        gate.Open();
        Ray.Get(blocker);
        Ray.Get(TaskRemotes.Remote.Echo(0)); // the CPU went round once more: the cancelled task had its chance

        var error = Assert.Throws<TaskCancelledException>(() => Ray.Get(queued));
        Assert.Contains("CountRun", error.Message);
        Assert.Equal(0, Ray.Get(runs.Count()));
        Assert.True(SpinWait.SpinUntil(() => Ray.AvailableResources()["CPU"] == 1, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void A_running_task_sees_its_cancellation_token()
    {
        Start();
        var started = Signal.Remote.New();
        var running = TaskRemotes.Remote.WaitForCancellation(started);
        Coordination.WaitFor(started);

        Ray.Cancel(running);

        Assert.Throws<TaskCancelledException>(() => Ray.Get(running));
        Assert.True(SpinWait.SpinUntil(() => Ray.AvailableResources()["CPU"] == 2, TimeSpan.FromSeconds(10)),
            "the cancelled task saw its token, returned, and gave its CPU back");
    }

    [Fact]
    public void A_task_waiting_for_dependencies_that_is_cancelled_fails_and_never_runs()
    {
        Start();
        var open = Signal.Remote.New();
        var gate = TaskRemotes.Remote.HoldCpuUntil(Signal.Remote.New(), open);
        var dependent = TaskRemotes.Remote.Add(gate, 1);

        Ray.Cancel(dependent);
        open.Open();

        Assert.Equal(1, Ray.Get(gate));
        Assert.Throws<TaskCancelledException>(() => Ray.Get(dependent));
    }

    [Fact]
    public void Cancelling_a_task_cancels_the_tasks_it_submitted()
    {
        Start();
        using var files = new FileSignals();
        var parent = FaultRemotes.Remote.ParentOfCancellable(files.Directory);
        files.Await("child-started");

        Ray.Cancel(parent);

        Assert.Throws<TaskCancelledException>(() => Ray.Get(parent, TimeSpan.FromSeconds(30)));
        files.Await("child-cancelled"); // the child's token fired: it was cancelled too, not left to time out
    }

    [Fact]
    public void Cancelling_a_finished_task_changes_nothing()
    {
        Start();
        var done = TaskRemotes.Remote.Echo(5);
        Assert.Equal(5, Ray.Get(done));

        Ray.Cancel(done);

        Assert.Equal(5, Ray.Get(done));
    }

    [Fact]
    public void A_cancel_racing_completion_leaves_the_value_or_the_cancellation()
    {
        Start();
        var counter = Counter.Remote.New(7);
        var tasks = new ObjectRef<int>[2_000];
        var calls = new ObjectRef<int>[2_000];
        // Each ref is cancelled from another thread as soon as it exists, while its task or call starts and finishes.
        var canceller = new Thread(() =>
        {
            for (var i = 0; i < tasks.Length; i++)
            {
                Ray.Cancel(AwaitPublished(ref tasks[i]));
                Ray.Cancel(AwaitPublished(ref calls[i]));
            }
        });
        canceller.Start();
        for (var i = 0; i < tasks.Length; i++)
        {
            Volatile.Write(ref tasks[i], TaskRemotes.Remote.Echo(i));
            Volatile.Write(ref calls[i], counter.GetValue());
        }
        Assert.True(canceller.Join(TimeSpan.FromSeconds(60)), "every ref was cancelled");

        // Either outcome may win; what must never happen is neither, or a mix (a value lost, an error without its cause).
        for (var i = 0; i < tasks.Length; i++)
        {
            ValueOrCancelled(tasks[i], i);
            ValueOrCancelled(calls[i], 7);
        }
        Assert.Equal(7, Ray.Get(counter.GetValue())); // the actor lives on
    }

    private static ObjectRef<int> AwaitPublished(ref ObjectRef<int> slot)
    {
        ObjectRef<int>? published;
        while ((published = Volatile.Read(ref slot)) is null)
        {
            Thread.SpinWait(10);
        }
        return published;
    }

    // The ref holds the expected value, or says it was cancelled; anything else fails the test.
    private static void ValueOrCancelled(ObjectRef<int> result, int expected)
    {
        try
        {
            Assert.Equal(expected, Ray.Get(result, TimeSpan.FromSeconds(30)));
        }
        catch (TaskCancelledException error)
        {
            Assert.Contains("cancelled by Ray.Cancel", error.Message);
        }
    }
}

public sealed class CancellationTestsInProcess : CancellationTests
{
}

public sealed class CancellationTestsWorkers : CancellationTests
{
    protected override void Configure(RayOptions options) => options.WorkerProcesses = 2;
}
