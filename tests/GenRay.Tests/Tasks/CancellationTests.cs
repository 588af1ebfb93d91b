using GenRay.Tests.Support;

namespace GenRay.Tests.Tasks;

/// <summary>Ray.Cancel: queued tasks never run, running ones see their token, Get throws TaskCancelledException.</summary>
public abstract class CancellationTests : RayTest
{
    protected CancellationTests() => TaskRemotes.Reset();

    [Fact]
    public void A_queued_task_that_is_cancelled_never_runs()
    {
        Start(o => o.NumCpus = 1);
        var blocker = TaskRemotes.Remote.WaitAtGate();
        Assert.True(TaskRemotes.Started.Wait(TimeSpan.FromSeconds(10)));
        var queued = TaskRemotes.Remote.CountRun();

        Ray.Cancel(queued);
        TaskRemotes.Gate.Release();
        Ray.Get(blocker);
        Ray.Get(TaskRemotes.Remote.Echo(0)); // the CPU went round once more: the cancelled task had its chance

        var error = Assert.Throws<TaskCancelledException>(() => Ray.Get(queued));
        Assert.Contains("CountRun", error.Message);
        Assert.Equal(0, TaskRemotes.Runs);
        Assert.Equal(1, Ray.AvailableResources()["CPU"]);
    }

    [Fact]
    public void A_running_task_sees_its_cancellation_token()
    {
        Start();
        var running = TaskRemotes.Remote.WaitForCancellation();
        Assert.True(TaskRemotes.Started.Wait(TimeSpan.FromSeconds(10)));

        Ray.Cancel(running);

        Assert.Throws<TaskCancelledException>(() => Ray.Get(running));
        Assert.True(SpinWait.SpinUntil(() => Ray.AvailableResources()["CPU"] == 2, TimeSpan.FromSeconds(10)),
            "the cancelled task saw its token, returned, and gave its CPU back");
    }

    [Fact]
    public void A_task_waiting_for_dependencies_that_is_cancelled_fails_and_never_runs()
    {
        Start();
        var gate = TaskRemotes.Remote.WaitAtGate();
        var dependent = TaskRemotes.Remote.Add(gate, 1);

        Ray.Cancel(dependent);
        TaskRemotes.Gate.Release();

        Assert.Equal(1, Ray.Get(gate));
        Assert.Throws<TaskCancelledException>(() => Ray.Get(dependent));
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
}

public sealed class CancellationTestsInProcess : CancellationTests
{
}
