using GenRay.Cluster;
using GenRay.Tests.Serialization;
using GenRay.Tests.Support;
using GenRay.Tests.Tasks;

namespace GenRay.Tests.Workers;

/// <summary>Tasks a worker's code submits and runs on leases the driver granted it.</summary>
public static partial class OwnLeaseRemotes
{
    [Remote]
    public static int Pid() => Environment.ProcessId;

    /// <summary>The pids of <paramref name="count"/> tasks this task submits and waits for.</summary>
    [Remote]
    public static int[] PidsOfChildren(int count) => Ray.Get(Enumerable.Range(0, count).Select(_ => Remote.Pid()).ToList());

    [Remote]
    public static int[] AppendPid(int[] pids) => [.. pids, Environment.ProcessId];

    /// <summary>More CPUs than any test node has: no lease can hold it.</summary>
    [Remote(NumCpus = 64)]
    public static int Huge() => 1;

    [Remote]
    public static int EchoWhenOpen(ActorHandle<Signal> gate, int value)
    {
        Coordination.HoldUntil(gate);
        return value;
    }
}

/// <summary>An actor whose code submits tasks: they run in its worker, on leases the driver granted it (Ray's owner-held leases).</summary>
[Remote]
public partial class Submitter
{
    public int Pid() => Environment.ProcessId;

    public int[] PidsOfTasks(int count) => Ray.Get(Enumerable.Range(0, count).Select(_ => OwnLeaseRemotes.Remote.Pid()).ToList());

    public int[] PidsOfNested(int parents, int children) =>
        [.. Ray.Get(Enumerable.Range(0, parents).Select(_ => OwnLeaseRemotes.Remote.PidsOfChildren(children)).ToList()).SelectMany(pids => pids)];

    /// <summary>A chain of tasks, each given the previous one's (pending) result: the pids they ran in.</summary>
    public int[] PidsOfChain(int length)
    {
        var chain = OwnLeaseRemotes.Remote.AppendPid(Array.Empty<int>());
        for (var i = 1; i < length; i++)
        {
            chain = OwnLeaseRemotes.Remote.AppendPid(chain);
        }
        return Ray.Get(chain, TimeSpan.FromSeconds(30));
    }

    public int Nested(int depth) => Ray.Get(TaskRemotes.Remote.NestedCount(depth));

    /// <summary>Refs to tasks that wait for <paramref name="gate"/>: still pending when the driver gets them.</summary>
    public ObjectRef<int>[] Pending(ActorHandle<Signal> gate, int count) =>
        [.. Enumerable.Range(0, count).Select(i => OwnLeaseRemotes.Remote.EchoWhenOpen(gate, i))];

    public string CancelRunning(ActorHandle<Signal> started)
    {
        var running = TaskRemotes.Remote.WaitForCancellation(started);
        Coordination.HoldUntil(started);
        Ray.Cancel(running);
        try
        {
            return $"returned {Ray.Get(running, TimeSpan.FromSeconds(30))}";
        }
        catch (TaskCancelledException)
        {
            return "cancelled";
        }
    }

    public string[] HugeTasks(int count)
    {
        var refs = Enumerable.Range(0, count).Select(_ => OwnLeaseRemotes.Remote.Huge()).ToList();
        return [.. refs.Select(Outcome)];
    }

    private static string Outcome(ObjectRef<int> task)
    {
        try
        {
            return $"returned {Ray.Get(task, TimeSpan.FromSeconds(30))}";
        }
        catch (RayException error)
        {
            return error.Message;
        }
    }

    /// <summary>Whether a task this worker runs for itself gets the very array it was given (under StrictSerialization it must get a copy).</summary>
    public bool SharesArguments()
    {
        Shapes.Shared = [1, 2, 3];
        return Ray.Get(Shapes.Remote.IsSame(Shapes.Shared), TimeSpan.FromSeconds(30));
    }

    public string DescribeDogAsAnimal()
    {
        try
        {
            return Ray.Get(Shapes.Remote.Describe(new Dog { Name = "rex", GoodBoy = true }), TimeSpan.FromSeconds(30));
        }
        catch (RayException error)
        {
            return error.Message;
        }
    }

    public string FailingTask()
    {
        try
        {
            return $"returned {Ray.Get(TaskRemotes.Remote.Fail("bad input"), TimeSpan.FromSeconds(30))}";
        }
        catch (RayTaskException error)
        {
            return error.Message;
        }
    }
}

public sealed class OwnLeaseTests : RayTest
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    protected override void Configure(RayOptions options) => options.WorkerProcesses = 2;

    private static DriverNode Driver => (DriverNode)RayRuntime.Current!.Executor;

    [Fact]
    public void Tasks_an_actor_submits_run_in_its_own_worker()
    {
        Start();
        var submitter = Submitter.Remote.New();
        var pid = Ray.Get(submitter.Pid(), s_timeout);
        var before = Driver.TasksFromWorkers;

        var pids = Ray.Get(submitter.PidsOfTasks(2000), s_timeout);

        Assert.Equal(2000, pids.Length);
        Assert.All(pids, p => Assert.Equal(pid, p));
        Assert.NotEqual(Environment.ProcessId, pid);
        Assert.Equal(0, Driver.TasksFromWorkers - before); // none went through the driver
    }

    [Fact]
    public void Tasks_submitted_by_tasks_on_a_workers_lease_run_there_too()
    {
        Start();
        var submitter = Submitter.Remote.New();
        var pid = Ray.Get(submitter.Pid(), s_timeout);

        var pids = Ray.Get(submitter.PidsOfNested(8, 50), s_timeout);

        Assert.Equal(400, pids.Length);
        Assert.All(pids, p => Assert.Equal(pid, p));
    }

    // Each task's argument is the previous one's result, pending when it is submitted: the worker holds it until
    // that is ready (Ray's owner does), instead of sending it to the driver to wait there and run anywhere.
    [Fact]
    public void A_chain_of_tasks_an_actor_submits_stays_in_its_worker()
    {
        Start();
        var submitter = Submitter.Remote.New();
        var pid = Ray.Get(submitter.Pid(), s_timeout);
        var before = Driver.TasksFromWorkers;

        var pids = Ray.Get(submitter.PidsOfChain(50), s_timeout);

        Assert.Equal(50, pids.Length);
        Assert.All(pids, p => Assert.Equal(pid, p));
        Assert.Equal(0, Driver.TasksFromWorkers - before); // none went through the driver to wait for its argument
    }

    // Each level blocks in Get on its children, submitted to the same leases: a lease whose task blocks must run the
    // next one meanwhile, or this never ends. On one CPU, so a single lease is all there is.
    [Fact]
    public void Nested_tasks_blocking_on_children_on_the_same_lease_finish()
    {
        Start(o => o.NumCpus = 1);
        var submitter = Submitter.Remote.New();

        Assert.Equal(64, Ray.Get(submitter.Nested(6), s_timeout));
    }

    [Fact]
    public void The_node_gets_a_leases_cpu_back_once_the_worker_stops_submitting()
    {
        Start();
        var submitter = Submitter.Remote.New();
        Ray.Get(submitter.PidsOfTasks(500), s_timeout);

        // The lease lingers a tick or two after its last task before it goes back.
        Assert.True(SpinWait.SpinUntil(() => Ray.AvailableResources()["CPU"] == Ray.ClusterResources()["CPU"], TimeSpan.FromSeconds(10)),
            $"{Ray.AvailableResources()["CPU"]} of {Ray.ClusterResources()["CPU"]} CPUs available");

        // And the node runs work on it: two tasks that each hold a CPU until both run.
        var started = Signal.Remote.New();
        var gate = Signal.Remote.New();
        var first = TaskRemotes.Remote.HoldCpuUntil(started, gate);
        var second = TaskRemotes.Remote.HoldCpuUntil(started, gate);
        Coordination.HoldUntil(started);
        gate.Open();
        Assert.Equal([1, 1], Ray.Get(new[] { first, second }, s_timeout));
    }

    [Fact]
    public void Pending_refs_of_a_workers_own_tasks_reach_the_driver_and_resolve()
    {
        Start();
        var submitter = Submitter.Remote.New();
        var gate = Signal.Remote.New();

        var refs = Ray.Get(submitter.Pending(gate, 20), s_timeout);
        Assert.Empty(Ray.Wait(refs, numReturns: refs.Length, timeout: TimeSpan.Zero).Ready);
        gate.Open();

        Assert.Equal(Enumerable.Range(0, 20), Ray.Get(refs, s_timeout));
        Assert.Equal(190, Ray.Get(TaskRemotes.Remote.Sum(Ray.Get(refs, s_timeout).ToArray()), s_timeout));
    }

    [Fact]
    public void A_workers_own_task_can_be_cancelled_and_its_errors_reach_the_caller()
    {
        Start();
        var submitter = Submitter.Remote.New();

        Assert.Equal("cancelled", Ray.Get(submitter.CancelRunning(Signal.Remote.New()), s_timeout));
        Assert.Contains("bad input", Ray.Get(submitter.FailingTask(), s_timeout));
    }

    // The worker asks for a lease first and holds the tasks meanwhile; the driver refuses (the node can never hold
    // them), and every task held must then fail saying why, none left waiting.
    [Fact]
    public void Tasks_of_a_method_no_lease_can_hold_fail_saying_what_to_change()
    {
        Start();
        var submitter = Submitter.Remote.New();

        var outcomes = Ray.Get(submitter.HugeTasks(5), s_timeout);

        Assert.Equal(5, outcomes.Length);
        Assert.All(outcomes, outcome => Assert.Contains("could never run", outcome));
    }

    // The suite runs with StrictSerialization: a worker's own tasks never cross a process, yet must see what crossing
    // one would do (copies; a refused derived type), as the driver's tasks do, so local tests catch remote failures.
    [Fact]
    public void A_workers_own_tasks_round_trip_their_arguments_under_the_drivers_strict_serialization()
    {
        Start();
        var submitter = Submitter.Remote.New();

        Assert.False(Ray.Get(submitter.SharesArguments(), s_timeout));
        Assert.Contains("declared type Animal", Ray.Get(submitter.DescribeDogAsAnimal(), s_timeout));
    }

    [Fact]
    public void Refs_to_a_dead_workers_own_tasks_fail_saying_their_owner_died()
    {
        Start();
        var submitter = Submitter.Remote.New();
        var gate = Signal.Remote.New();
        var pid = Ray.Get(submitter.Pid(), s_timeout);
        var refs = Ray.Get(submitter.Pending(gate, 5), s_timeout);

        System.Diagnostics.Process.GetProcessById(pid).Kill();

        var error = Assert.ThrowsAny<RayException>(() => Ray.Get(refs[0], s_timeout));
        Assert.Contains("owned it", error.Message);
    }
}
