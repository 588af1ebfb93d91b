using System.Diagnostics;
using GenRay.Tests.Support;

namespace GenRay.Tests.Tasks;

/// <summary>Refs passed as arguments: the task runs after them and receives their values.</summary>
public abstract class DependencyTests : RayTest
{

    [Fact]
    public void A_chain_of_dependent_tasks_adds_up()
    {
        Start();

        var id = TaskRemotes.Remote.Add(1, 2);
        for (var i = 3; i <= 8; i++)
        {
            id = TaskRemotes.Remote.Add(id, i);
        }

        Assert.Equal(36, Ray.Get(id));
    }

    [Fact]
    public void A_tree_of_dependent_tasks_adds_up()
    {
        Start();

        var leaves = Enumerable.Range(0, 8).Select(i => TaskRemotes.Remote.Echo(i + 1)).ToList();
        while (leaves.Count > 1)
        {
            leaves = leaves.Chunk(2).Select(pair => TaskRemotes.Remote.Add(pair[0], pair[1])).ToList();
        }

        Assert.Equal(36, Ray.Get(leaves[0]));
    }

    [Fact]
    public void The_seeds_fast_list_reduction_adds_up()
    {
        Start();
        var values = Enumerable.Range(1, 9).Select(i => TaskRemotes.Remote.Echo(i)).ToList();

        while (values.Count > 1)
        {
            values = [.. values.Skip(2), TaskRemotes.Remote.Add(values[0], values[1])];
        }

        Assert.Equal(45, Ray.Get(values[0]));
    }

    [Fact]
    public void Values_and_refs_mix_in_one_call()
    {
        Start();

        var three = TaskRemotes.Remote.Echo(3);

        Assert.Equal(5, Ray.Get(TaskRemotes.Remote.Add(2, three)));
        Assert.Equal(5, Ray.Get(TaskRemotes.Remote.Add(three, 2)));
        Assert.Equal(6, Ray.Get(TaskRemotes.Remote.Add(three, three)));
    }

    [Fact]
    public void A_ref_to_a_ref_is_passed_as_the_inner_ref()
    {
        Start();

        ObjectRef<ObjectRef<int>> outer = TaskRemotes.Remote.MakeRef(42);
        ObjectRef<int> inner = Ray.Get(outer);

        Assert.Equal(42, Ray.Get(inner));
        Assert.Equal(42, Ray.Get(TaskRemotes.Remote.Unwrap(outer)));
        Assert.Equal(42, Ray.Get(TaskRemotes.Remote.Unwrap(inner)));
    }

    [Fact]
    public void Async_remotes_unwrap_task_and_value_task()
    {
        Start();

        Assert.Equal("hello ray", Ray.Get(TaskRemotes.Remote.Greet("ray")));
        Assert.Equal(42, Ray.Get(TaskRemotes.Remote.Twice(TaskRemotes.Remote.Echo(21))));
        Ray.Get(TaskRemotes.Remote.NoopAsync());
        Ray.Get(TaskRemotes.Remote.Noop());
    }

    [Fact]
    public void Omitted_optional_arguments_take_the_declared_defaults()
    {
        Start();

        Assert.Equal("none/1.5/Friday/null", Ray.Get(TaskRemotes.Remote.Describe()));
        Assert.Equal("x/2/Monday/3", Ray.Get(TaskRemotes.Remote.Describe("x", 2, DayOfWeek.Monday, 3)));
        Assert.Equal("none/1.5/Sunday/null", Ray.Get(TaskRemotes.Remote.Describe(day: DayOfWeek.Sunday)));
        Assert.Equal(4, Ray.Get(TaskRemotes.Remote.Add(4)));
    }

}

public sealed class DependencyTestsInProcess : DependencyTests
{
}

public sealed class DependencyTestsWorkers : DependencyTests
{
    protected override void Configure(RayOptions options) => options.WorkerProcesses = 2;
}

/// <summary>
/// Tests that size the node themselves (RayOptions.NumCpus): in-process and with this machine's worker processes.
/// A cluster's nodes are sized when they are started, so the cluster mode runs the rest of <see cref="DependencyTests"/>.
/// </summary>
public abstract class DependencyOnSizedNodeTests : RayTest
{
    [Fact]
    public void A_dependent_task_waits_for_its_argument_without_holding_a_cpu()
    {
        Start(o => o.NumCpus = 1);
        var started = Signal.Remote.New();
        var open = Signal.Remote.New();
        var gate = TaskRemotes.Remote.With(new TaskOptions { NumCpus = 0 }).HoldCpuUntil(started, open);
        Coordination.WaitFor(started);

        var dependent = TaskRemotes.Remote.Add(gate, 1); // needs the node's only CPU, once the gate opens
        var independent = TaskRemotes.Remote.Echo(7);    // must not wait behind it

        Assert.Equal(7, Ray.Get(independent, TimeSpan.FromSeconds(10)));
        Assert.Equal(1, Ray.AvailableResources()["CPU"]);
        open.Open();
        Assert.Equal(2, Ray.Get(dependent, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Seed_cell_four_parallel_tasks_return_values_and_timestamps()
    {
        Start(o => o.NumCpus = 4);
        var watch = Stopwatch.StartNew();

        var results = Ray.Get(Enumerable.Range(0, 4).Select(i => TaskRemotes.Remote.Stamp(i)).ToList());

        Assert.Equal([0, 1, 2, 3], results.Select(r => r.Value));
        var stamps = results.Select(r => r.Timestamp).ToList();
        Assert.True(stamps.Max() - stamps.Min() < 0.15, $"timestamps spread {stamps.Max() - stamps.Min():F3} s: the tasks did not run together");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2));
    }
}

public sealed class DependencyOnSizedNodeTestsInProcess : DependencyOnSizedNodeTests
{
}

public sealed class DependencyOnSizedNodeTestsWorkers : DependencyOnSizedNodeTests
{
    protected override void Configure(RayOptions options) => options.WorkerProcesses = 2;
}
