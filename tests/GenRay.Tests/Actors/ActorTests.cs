using System.Diagnostics;
using GenRay.Tests.Support;

namespace GenRay.Tests.Actors;

/// <summary>Actors: typed handles, state, ordering, handles passed anywhere, the seed's actor cells.</summary>
public abstract class ActorTests : RayTest
{
    [Fact]
    public void An_actor_keeps_nothing_of_the_calls_it_finished()
    {
        Start();
        var adder = Adder.Remote.New();

        var calls = CallAndForget(adder, 100);
        // Answered after the adds, on the same path: once it is here, the thread that completed the last add has
        // left that work (a collection at the moment Ray.Get wakes up could still see it on that thread's stack).
        Assert.Equal(4950, Ray.Get(adder.GetSum()));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.Equal(0, calls.Count(c => c.TryGetTarget(out _))); // no queue keeps a finished call's refs alive
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static List<WeakReference<ObjectRef<int>>> CallAndForget(ActorHandle<Adder> adder, int n)
    {
        var results = Enumerable.Range(0, n).Select(i => adder.Add(Ray.Put(i))).ToList();
        Ray.Get(results);
        return results.Select(r => new WeakReference<ObjectRef<int>>(r)).ToList();
    }

    [Fact]
    public void Seed_adder_sums_ten_numbers()
    {
        Start();
        var a = Adder.Remote.New();

        Assert.Equal(0, Ray.Get(a.GetSum()));
        for (var i = 0; i < 10; i++)
        {
            a.Add(i);
        }

        Assert.Equal(45, Ray.Get(a.GetSum()));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(10)]
    public void Seed_adders_share_a_thousand_numbers(int actorCount)
    {
        Start();
        var actors = Enumerable.Range(0, actorCount).Select(_ => Adder.Remote.New()).ToList();

        for (var n = 0; n < 1000; n++)
        {
            actors[n % actorCount].Add(n);
        }

        Assert.Equal(499500, Ray.Get(actors.Select(a => a.GetSum())).Sum());
    }

    [Fact]
    public void Seed_counter_goes_from_five_to_nine()
    {
        Start();
        var c = Counter.Remote.New(5);

        Assert.Equal(5, Ray.Get(c.GetValue()));
        for (var i = 0; i < 4; i++)
        {
            c.Inc();
        }

        Assert.Equal(9, Ray.Get(c.GetValue()));
    }

    [Fact]
    public void Ten_thousand_calls_from_one_caller_arrive_in_order()
    {
        Start();
        var recorder = Recorder.Remote.New();

        for (var i = 0; i < 10_000; i++)
        {
            recorder.Record(i);
        }

        Assert.Equal(Enumerable.Range(0, 10_000), Ray.Get(recorder.Seen()));
    }

    [Fact]
    public void A_call_waiting_for_its_argument_holds_back_later_calls_from_the_same_caller()
    {
        Start();
        var recorder = Recorder.Remote.New();
        var slow = TestTasks.Remote.Delayed(1, 200);

        recorder.Record(slow);   // waits for its argument
        recorder.Record(2);      // ready at once, but runs after the call before it

        Assert.Equal([1, 2], Ray.Get(recorder.Seen()));
    }

    [Fact]
    public void Handles_pass_through_tasks_and_other_actors_to_the_same_instance()
    {
        Start();
        var counter = Counter.Remote.New(0);
        var reader = Counter.Remote.New(100);

        Assert.Equal(10, Ray.Get(ActorTasks.Remote.IncrementAndRead(counter, 10)));
        Assert.Equal(20, Ray.Get(ActorTasks.Remote.IncrementAndRead(counter, 10)));
        Assert.Equal(20, Ray.Get(reader.Read(counter)));
        Assert.Equal(20, Ray.Get(counter.GetValue()));
    }

    [Fact]
    public void An_actor_constructed_with_handles_calls_those_actors_wherever_they_live()
    {
        Start();
        var counters = Enumerable.Range(0, 3).Select(i => Counter.Remote.New(i)).ToList();
        var relay = Relay.Remote.New(counters);

        Assert.Equal(0 + 1 + 2 + 3 * 100, Ray.Get(relay.IncrementAll(100)));
        Assert.Equal(3 * 200 + 3, Ray.Get(relay.IncrementAll(100)));
        Assert.Equal(202, Ray.Get(counters[2].GetValue()));
    }

    [Fact]
    public void A_task_can_create_an_actor_and_return_its_handle()
    {
        Start();

        var made = Ray.Get(ActorTasks.Remote.MakeCounter(7));
        made.Inc();

        Assert.Equal(8, Ray.Get(made.GetValue()));
    }

    [Fact]
    public void Handles_are_values_equal_by_actor_id()
    {
        Start();
        var a = Counter.Remote.New(1);
        var b = Counter.Remote.New(1);
        var copy = a;

        Assert.Equal(a, copy);
        Assert.True(a == copy);
        Assert.NotEqual(a, b);
        Assert.Equal(2, new HashSet<ActorHandle<Counter>> { a, b, copy }.Count);
        Assert.Matches("^[0-9a-f]{32}$", a.Id.ToString());
        Assert.Equal($"Actor(Counter, {a.Id})", a.ToString());
    }

    [Fact]
    public void A_default_handle_says_how_to_get_a_real_one()
    {
        Start();

        var error = Assert.Throws<RayException>(() => default(ActorHandle<Counter>).GetValue());

        Assert.Contains("Counter.Remote.New", error.Message);
    }

    [Fact]
    public void Fire_and_forget_calls_always_run()
    {
        Start();
        var counter = Counter.Remote.New(0);

        for (var i = 0; i < 1000; i++)
        {
            counter.Inc(); // every ref dropped
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();

        Assert.Equal(1000, Ray.Get(counter.GetValue()));
    }

    [Fact]
    public void A_method_exception_fails_that_call_only_and_the_actor_keeps_its_state()
    {
        Start();
        var fragile = Fragile.Remote.New(false);
        Assert.Equal(1, Ray.Get(fragile.Touch()));

        var error = Assert.Throws<RayTaskException>(() => Ray.Get(fragile.Boom()));

        Assert.Equal("System.ArgumentException", error.ExceptionTypeName);
        Assert.Equal("boom after 1 calls", error.ExceptionMessage);
        Assert.Equal("Fragile.Boom", error.FunctionName);
        Assert.Equal(2, Ray.Get(fragile.Touch()));
    }

    [Fact]
    public void A_constructor_that_throws_fails_every_call_with_the_constructors_error()
    {
        Start();
        var fragile = Fragile.Remote.New(true);

        var first = Assert.Throws<ActorDiedException>(() => Ray.Get(fragile.Touch()));
        var later = Assert.Throws<ActorDiedException>(() => Ray.Get(fragile.Touch()));

        Assert.Contains("constructor refused", first.Message);
        Assert.Contains("InvalidOperationException", first.Message);
        Assert.Contains("constructor refused", later.Message);
        if (InProcess)
        {
            var cause = Assert.IsType<RayTaskException>(first.InnerException);
            Assert.Equal("System.InvalidOperationException", cause.ExceptionTypeName);
            Assert.IsType<InvalidOperationException>(cause.InnerException);
        }
    }

    [Fact]
    public void Kill_fails_pending_and_later_calls()
    {
        Start();
        var fragile = Fragile.Remote.New(false);
        var running = fragile.Block(300);
        var pending = Enumerable.Range(0, 5).Select(_ => fragile.Touch()).ToList();

        Ray.Kill(fragile);

        Assert.Throws<ActorDiedException>(() => Ray.Get(running));
        Assert.All(pending, p => Assert.Throws<ActorDiedException>(() => Ray.Get(p)));
        var later = Assert.Throws<ActorDiedException>(() => Ray.Get(fragile.Touch()));
        Assert.Contains("killed by Ray.Kill", later.Message);
    }

    [Fact]
    public void Kill_without_no_restart_restarts_an_actor_that_has_restarts_left()
    {
        Start();
        var counter = Counter.Remote.With(new ActorOptions { MaxRestarts = 1 }).New(5);
        counter.Inc();
        Assert.Equal(6, Ray.Get(counter.GetValue()));

        Ray.Kill(counter, noRestart: false);

        Assert.Equal(5, Ray.Get(counter.GetValue())); // the constructor ran again with its original argument
        Ray.Kill(counter, noRestart: false);          // no restart left
        Assert.Throws<ActorDiedException>(() => Ray.Get(counter.GetValue()));
    }

    [Fact]
    public void Named_actors_are_found_by_name()
    {
        Start();
        var created = Counter.Remote.With(new ActorOptions { Name = "counter" }).New(3);

        var found = Ray.GetActor<Counter>("counter");
        found.Inc();

        Assert.Equal(created, found);
        Assert.Equal(4, Ray.Get(created.GetValue()));
    }

    [Fact]
    public void A_named_actor_created_inside_a_task_keeps_its_options()
    {
        Start();
        Ray.Get(ActorTasks.Remote.MakeNamedCounter("made-in-a-task", 4));

        // The driver knows it by the name the task gave it, and so does another task.
        var found = Ray.GetActor<Counter>("made-in-a-task");
        found.Inc();
        Assert.Equal(5, Ray.Get(found.GetValue()));
        Assert.Equal(5, Ray.Get(ActorTasks.Remote.ReadNamedCounter("made-in-a-task")));

        // Its MaxRestarts came along too: a restart by Ray.Kill(noRestart: false) brings it back.
        Ray.Kill(found, noRestart: false);
        Assert.Equal(4, Ray.Get(found.GetValue()));
    }

    [Fact]
    public void Actor_names_are_unique_per_namespace()
    {
        Start();
        Counter.Remote.With(new ActorOptions { Name = "shared" }).New(1);

        var duplicate = Assert.Throws<RayException>(() => Counter.Remote.With(new ActorOptions { Name = "shared" }).New(2));
        Assert.Contains("already exists", duplicate.Message);

        var other = Counter.Remote.With(new ActorOptions { Name = "shared", Namespace = "other" }).New(2);
        Assert.Equal(2, Ray.Get(Ray.GetActor<Counter>("shared", "other").GetValue()));
        Assert.Equal(1, Ray.Get(Ray.GetActor<Counter>("shared").GetValue()));
        Assert.NotEqual(other, Ray.GetActor<Counter>("shared"));
    }

    [Fact]
    public void Unknown_names_and_wrong_types_are_clear_errors()
    {
        Start();
        Adder.Remote.With(new ActorOptions { Name = "adder" }).New();

        var unknown = Assert.Throws<RayException>(() => Ray.GetActor<Adder>("nobody"));
        Assert.Contains("No actor named 'nobody'", unknown.Message);

        var wrongType = Assert.Throws<RayException>(() => Ray.GetActor<Counter>("adder"));
        Assert.Contains("is of class Adder, not Counter", wrongType.Message);
        Assert.Contains("Ray.GetActor<GenRay.Tests.Actors.Adder>", wrongType.Message);
    }

    [Fact]
    public void A_killed_named_actor_frees_its_name()
    {
        Start();
        var first = Counter.Remote.With(new ActorOptions { Name = "reused" }).New(1);

        Ray.Kill(first);

        Assert.Throws<RayException>(() => Ray.GetActor<Counter>("reused"));
        var second = Counter.Remote.With(new ActorOptions { Name = "reused" }).New(2);
        Assert.Equal(2, Ray.Get(Ray.GetActor<Counter>("reused").GetValue()));
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Max_concurrency_is_respected_exactly_by_a_threaded_actor()
    {
        Start();
        var actor = Threaded.Remote.New();

        Ray.Get(Enumerable.Range(0, 16).Select(_ => actor.Work(50)).ToList());

        Assert.Equal(4, Ray.Get(actor.MostAtOnce()));
    }

    [Fact]
    public void A_threaded_actor_runs_as_many_calls_at_once_as_block_outside_GenRay_up_to_its_max_concurrency()
    {
        Start();
        var actor = Threaded.Remote.New();

        // Each call returns only once all four are running (a Barrier, which GenRay cannot see): short calls run on
        // fewer threads than MaxConcurrency, so this holds only if blocked calls get threads of their own.
        var meetings = Enumerable.Range(0, 4).Select(_ => actor.Meet()).ToList();

        Assert.Equal([true, true, true, true], Ray.Get(meetings, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void A_threaded_actors_call_waiting_for_a_call_queued_behind_it_on_the_same_actor_gets_its_answer()
    {
        Start();
        var actor = Threaded.Remote.New();

        var relayed = Enumerable.Range(0, 3).Select(i => actor.EchoThrough(actor, i)).ToList();

        Assert.Equal([0, 1, 2], Ray.Get(relayed, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void A_threaded_actor_answers_every_call_of_a_burst_and_fails_the_rest_once_killed()
    {
        Start();
        var actor = Threaded.Remote.New();

        // Short calls made one after another run on the thread that finished the previous one: all answered.
        Assert.Equal(Enumerable.Range(0, 3000), Ray.Get(Enumerable.Range(0, 3000).Select(i => actor.Echo(i)).ToList()));

        var burst = Enumerable.Range(0, 3000).Select(i => actor.Echo(i)).ToList();
        Ray.Kill(actor);
        for (var i = 0; i < burst.Count; i++)
        {
            try
            {
                Assert.Equal(i, Ray.Get(burst[i], TimeSpan.FromSeconds(30))); // ran before the kill, or
            }
            catch (ActorDiedException)
            {
                // failed by it; never lost (a hang would be a GetTimeoutException)
            }
        }
        Assert.Throws<ActorDiedException>(() => Ray.Get(actor.Echo(1), TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void An_async_actor_interleaves_calls_at_awaits_but_runs_one_piece_of_code_at_a_time()
    {
        Start();
        var actor = Interleaving.Remote.New();
        Ray.Get(actor.MostAtOnce()); // created and warm before timing
        var watch = Stopwatch.StartNew();

        Ray.Get(Enumerable.Range(0, 9).Select(_ => actor.Work(100)).ToList());

        var (inFlight, running) = Ray.Get(actor.MostAtOnce());
        Assert.Equal(3, inFlight);
        Assert.Equal(1, running);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(0.85), $"9 calls of 100 ms, 3 at a time, took {watch.Elapsed.TotalSeconds:F2} s");
    }

    [Fact]
    public void A_non_reentrant_async_actor_finishes_each_call_before_the_next_starts()
    {
        Start();
        var actor = OneAtATime.Remote.New();

        Ray.Get(Enumerable.Range(0, 5).Select(i => actor.Work(i, 20)).ToList());

        Assert.Equal(1, Ray.Get(actor.MostAtOnce()));
        Assert.Equal([0, 0, 1, 1, 2, 2, 3, 3, 4, 4], Ray.Get(actor.Order()));
    }

    [Fact]
    public void A_Get_on_a_thread_with_a_synchronization_context_never_gives_actor_code_that_context()
    {
        Start();
        var actor = OneAtATime.Remote.New();
        Ray.Get(actor.MostAtOnce(), TimeSpan.FromSeconds(30)); // created: the calls below wait only for each other
        var context = new RecordingContext();
        var counts = new List<int>();
        Exception? failure = null;
        // Gets without a timeout (a Get with one never runs actor calls on its thread), on a thread of the test's own
        // so that a hang fails the test instead of stalling the run.
        var caller = new Thread(() =>
        {
            SynchronizationContext.SetSynchronizationContext(context);
            try
            {
                for (var i = 0; i < 200; i++)
                {
                    // The async call is queued first: a Get of the call after it that runs the actor's calls on its
                    // own thread starts the async one there.
                    var work = actor.Work(i, 1);
                    counts.Add(Ray.Get(actor.Order()).Count);
                    Assert.Equal(i, Ray.Get(work));
                }
                Assert.Same(context, SynchronizationContext.Current);
            }
            catch (Exception error)
            {
                failure = error;
            }
        }) { IsBackground = true };
        caller.Start();

        Assert.True(caller.Join(TimeSpan.FromSeconds(60)), "200 calls did not finish within 60 s");
        Assert.Null(failure);
        Assert.Equal(Enumerable.Range(1, 200).Select(i => 2 * i), counts); // each Order() ran after the Work() before it
        Assert.Equal(0, context.Posts); // the awaits inside Work resumed on the pool, not through the caller's context
    }

    [Fact]
    public async Task A_Get_inside_a_task_on_a_scheduler_of_its_own_never_gives_actor_code_that_scheduler()
    {
        Start();
        var actor = OneAtATime.Remote.New();
        Assert.Equal(0, await actor.MostAtOnce()); // created: the calls below wait only for each other
        var scheduler = new RecordingScheduler();

        // Gets without a timeout of async calls (whose awaits would queue their continuations to the scheduler
        // current where they run), from code the scheduler runs: the test's own task is all it is given.
        var rounds = Task.Factory.StartNew(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                Assert.Equal(i, Ray.Get(actor.Work(i, 1)));
            }
            return TaskScheduler.Current;
        }, CancellationToken.None, TaskCreationOptions.None, scheduler);

        Assert.Same(scheduler, await rounds.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(1, scheduler.Queued);
    }

    /// <summary>Counts the tasks queued to it, and runs them on the pool.</summary>
    private sealed class RecordingScheduler : TaskScheduler
    {
        private int _queued;

        public int Queued => Volatile.Read(ref _queued);

        protected override void QueueTask(Task task)
        {
            Interlocked.Increment(ref _queued);
            ThreadPool.QueueUserWorkItem(_ => TryExecuteTask(task));
        }

        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

        protected override IEnumerable<Task> GetScheduledTasks() => [];
    }

    /// <summary>Counts what is posted to it, and runs it on the pool so that nothing waits on the test's thread.</summary>
    private sealed class RecordingContext : SynchronizationContext
    {
        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            ThreadPool.QueueUserWorkItem(_ => d(state));
        }

        public override void Send(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            d(state);
        }
    }

    [Fact]
    public void Constructor_arguments_may_be_refs()
    {
        Start();

        var counter = Counter.Remote.New(TestTasks.Remote.Delayed(41, 50));
        counter.Inc();

        Assert.Equal(42, Ray.Get(counter.GetValue()));
    }

    [Fact]
    public void Queued_actor_calls_can_be_cancelled()
    {
        Start();
        var fragile = Fragile.Remote.New(false);
        var running = fragile.Block(200);
        var queued = fragile.Touch();

        Ray.Cancel(queued);

        Assert.Throws<TaskCancelledException>(() => Ray.Get(queued));
        Assert.Equal(1, Ray.Get(running));
        Assert.Equal(2, Ray.Get(fragile.Touch())); // the cancelled call never ran
    }

    [Fact]
    public void Shutdown_ends_actors()
    {
        Start();
        var counter = Counter.Remote.New(1);
        Assert.Equal(1, Ray.Get(counter.GetValue()));

        Ray.Shutdown();
        Start();

        Assert.Throws<RayException>(() => counter.GetValue());
    }
}

public sealed class ActorTestsInProcess : ActorTests
{
}

public static partial class TestTasks
{
    [Remote]
    public static int Delayed(int value, int millis)
    {
        Thread.Sleep(millis);
        return value;
    }
}

public sealed class ActorTestsWorkers : ActorTests
{
    protected override void Configure(RayOptions options) => options.WorkerProcesses = 2;
}

/// <summary>
/// Tests that size the node themselves (RayOptions.NumCpus): in-process and with this machine's worker processes.
/// A cluster's nodes are sized when they are started, so the cluster mode runs the rest of <see cref="ActorTests"/>.
/// </summary>
public abstract class ActorOnSizedNodeTests : RayTest
{
    [Fact]
    public void Seed_message_actor_collects_messages_from_three_workers()
    {
        Start(o => o.NumCpus = 4);
        var messageActor = MessageActor.Remote.New();
        var workers = Enumerable.Range(0, 3).Select(j => ActorTasks.Remote.PushMessages(messageActor, j, 10, 20)).ToList();

        var received = new List<string>();
        var rounds = 0;
        while (received.Count < 30 && rounds++ < 200)
        {
            received.AddRange(Ray.Get(messageActor.GetAndClearMessages()));
            Thread.Sleep(20);
        }
        Ray.Get(workers);
        received.AddRange(Ray.Get(messageActor.GetAndClearMessages()));

        Assert.Equal(30, received.Count);
        for (var j = 0; j < 3; j++)
        {
            // Each worker's messages arrive in the order it sent them.
            var mine = received.Where(m => m.EndsWith($"WKR {j}.", StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(0, 10).Select(i => $"MSG {i} by WKR {j}."), mine);
        }
    }

    [Fact]
    public void Actors_reserve_no_cpus_by_default_so_a_small_node_holds_thousands()
    {
        Start(o => o.NumCpus = 2);

        var counters = Enumerable.Range(0, 5000).Select(i => Counter.Remote.New(i)).ToList();
        foreach (var counter in counters)
        {
            counter.Inc();
        }

        Assert.Equal(Enumerable.Range(1, 5000), Ray.Get(counters.Select(c => c.GetValue())));
        Assert.Equal(2, Ray.AvailableResources()["CPU"]);
    }

    [Fact]
    public void An_actor_that_reserves_cpus_holds_them_until_killed()
    {
        Start(o => o.NumCpus = 2);
        var first = CpuHolder.Remote.New();
        var second = CpuHolder.Remote.New();
        Ray.Get(first.Ping());
        Ray.Get(second.Ping());
        Assert.Equal(0, Ray.AvailableResources()["CPU"]);

        var third = CpuHolder.Remote.New();
        var waiting = third.Ping();
        Assert.Empty(Ray.Wait([waiting], timeout: TimeSpan.FromMilliseconds(200)).Ready);

        Ray.Kill(first);
        Assert.Equal(1, Ray.Get(waiting, TimeSpan.FromSeconds(10)));
        Assert.Throws<RayException>(() => CpuHolder.Remote.With(new ActorOptions { NumCpus = 3 }).New());
    }
}

public sealed class ActorOnSizedNodeTestsInProcess : ActorOnSizedNodeTests
{
}

public sealed class ActorOnSizedNodeTestsWorkers : ActorOnSizedNodeTests
{
    protected override void Configure(RayOptions options) => options.WorkerProcesses = 2;
}
