using GenRay.Cluster;
using GenRay.Tests.Faults;
using GenRay.Tests.Support;

namespace GenRay.Tests.Workers;

/// <summary>
/// Actor calls that a worker's code makes go through the driver until the driver has said where the actor lives,
/// then straight to the actor's worker. What users rely on: the same results and the same order as through the
/// driver, pending refs that cross in either direction, and a clear ActorDiedException when the actor's worker dies.
/// </summary>
public sealed class DirectCallTests : RayTest
{
    protected override void Configure(RayOptions options) => options.WorkerProcesses = 2;

    private static DriverNode Driver => (DriverNode)RayRuntime.Current!.Executor;

    // The ledger on one worker, its client on the other (each new actor goes to the worker with the fewest).
    private static (ActorHandle<Ledger> Ledger, ActorHandle<LedgerClient> Client) LedgerAndClientApart(ActorOptions? ledgerOptions = null)
    {
        var ledger = ledgerOptions is null ? Ledger.Remote.New() : Ledger.Remote.With(ledgerOptions).New();
        var client = LedgerClient.Remote.New(ledger);
        Assert.NotEqual(Ray.Get(ledger.Pid()), Ray.Get(client.Pid())); // else this tests nothing
        return (ledger, client);
    }

    // A ledger in another worker than the client's, which the client called through a handle given with the call:
    // the client's worker was told where the ledger lives, and holds no handle to it any more.
    private static (ActorHandle<Ledger> Ledger, int Pid) LedgerLocatedAndDropped(ActorHandle<LedgerClient> client, ActorOptions? options = null)
    {
        var clientPid = Ray.Get(client.Pid());
        var ledgers = Enumerable.Range(0, 3).Select(_ => options is null ? Ledger.Remote.New() : Ledger.Remote.With(options).New()).ToList();
        var pids = Ray.Get(ledgers.Select(l => l.Pid()).ToList());
        var index = Array.FindIndex(pids, pid => pid != clientPid);
        Assert.Equal(Enumerable.Range(0, 20), Ray.Get(client.AppendOneByOneTo(ledgers[index], 0, 20))); // located there
        Assert.Equal(0, Ray.Get(client.HandlesToAfterCollection(ledgers[index].Actor.Id.ToString()))); // else this tests nothing
        return (ledgers[index], pids[index]);
    }

    [Fact]
    public void Calls_from_a_worker_go_straight_to_the_actors_worker_once_the_driver_said_where_it_is()
    {
        Start();
        var (ledger, client) = LedgerAndClientApart();
        var before = Driver.CallsFromWorkers;

        var answers = Ray.Get(client.AppendOneByOne(200));

        Assert.Equal(Enumerable.Range(0, 200), answers);
        Assert.Equal(Enumerable.Range(0, 200), Ray.Get(ledger.Seen()));
        var routed = Driver.CallsFromWorkers - before;
        Assert.True(routed < 10, $"{routed} of 200 calls went through the driver");
    }

    // A worker's handle to an actor is collected once its code drops it (a task's argument, after the task); the
    // driver says where an actor lives only once per worker, so the worker must keep that for the handles it reads
    // later. Else every later call went through the driver (seen in n_n_actor_calls_async: after the first round,
    // every call took two hops more).
    [Fact]
    public void Calls_from_a_worker_still_go_straight_after_its_first_handle_to_the_actor_was_collected()
    {
        Start();
        var (_, client) = LedgerAndClientApart();
        var (ledger, _) = LedgerLocatedAndDropped(client);
        var before = Driver.CallsFromWorkers;

        var answers = Ray.Get(client.AppendOneByOneTo(ledger, 20, 200));

        Assert.Equal(Enumerable.Range(20, 200), answers);
        Assert.Equal(Enumerable.Range(0, 220), Ray.Get(ledger.Seen()));
        var routed = Driver.CallsFromWorkers - before;
        Assert.True(routed < 10, $"{routed} of 200 calls went through the driver");
    }

    // The place a worker keeps for an actor goes with the link to it: a handle read after the actor's worker died
    // calls through the driver, which knows where the actor restarted.
    [Fact]
    public void A_handle_read_after_the_actors_worker_died_reaches_the_restarted_actor()
    {
        Start(o => o.NumCpus = 4);
        var (_, client) = LedgerAndClientApart();
        var (ledger, ledgerPid) = LedgerLocatedAndDropped(client, new ActorOptions { MaxRestarts = 1 });

        Driver.Workers.Single(w => w.Pid == ledgerPid).Process.Kill();
        Assert.True(SpinWait.SpinUntil(() => ((RemoteActor)ledger.Actor).Restarts == 1, TimeSpan.FromSeconds(30)), "the ledger was not restarted");

        Assert.Equal([20, 21], Ray.Get(client.AppendOneByOneTo(ledger, 20, 2), TimeSpan.FromSeconds(60)));
        Assert.Equal([20, 21], Ray.Get(ledger.Seen(), TimeSpan.FromSeconds(30))); // the restarted ledger, from scratch
    }

    // Calls streamed without waiting for their answers: the driver says where the actor is while the first ones are
    // in flight, and later calls must not overtake them by the shorter route, already open (the client called another
    // actor of that worker before). The route switches only when every call sent so far is answered (halfway, the
    // caller waits for one). The actor must see every call in the order it was made.
    [Fact]
    public void Calls_from_a_worker_keep_their_order_while_they_move_from_the_driver_to_the_actors_worker()
    {
        Start();
        var (ledger, client) = LedgerAndClientApart();
        var neighbour = Ledger.Remote.New();
        Assert.Equal(Ray.Get(ledger.Pid()), Ray.Get(neighbour.Pid())); // else the route to it is not open yet
        Ray.Get(client.Warm(neighbour));
        var before = Driver.CallsFromWorkers;

        var answers = Ray.Get(client.AppendStreaming(4000));

        Assert.Equal(Enumerable.Range(0, 4000), answers);
        Assert.Equal(Enumerable.Range(0, 4000), Ray.Get(ledger.Seen()));
        var routed = Driver.CallsFromWorkers - before;
        Assert.True(routed > 0 && routed < 4000, $"{routed} of 4000 calls went through the driver: no switch to test");
    }

    [Fact]
    public void A_pending_ref_passed_in_a_straight_call_reaches_the_actor_once_ready()
    {
        Start(o => o.NumCpus = 4);
        var (_, client) = LedgerAndClientApart();

        Assert.Equal(42, Ray.Get(client.SumWithPendingTask(41)));    // the result of a task the driver runs
        Assert.Equal(8, Ray.Get(client.SumWithPendingCall(7)));      // the result of an earlier straight call
    }

    [Fact]
    public void A_pending_result_of_a_straight_call_can_be_returned_to_the_driver_and_passed_to_a_task()
    {
        Start(o => o.NumCpus = 4);
        var (_, client) = LedgerAndClientApart();

        var inner = Ray.Get(client.SlowEchoRef(5)); // still pending when the client's call returned it
        Assert.Equal(5, Ray.Get(inner, TimeSpan.FromSeconds(30)));
        Assert.Equal(10, Ray.Get(client.AddOneToSlowEcho(9), TimeSpan.FromSeconds(30)));
    }

    // The caller's worker hosts the actor too: the call never leaves that worker, so the driver learns of its result
    // only from the worker, once ready.
    [Fact]
    public void A_pending_result_of_a_call_to_an_actor_of_the_callers_own_worker_can_be_returned_to_the_driver()
    {
        Start();
        var (_, client) = LedgerAndClientApart();
        var clientPid = Ray.Get(client.Pid());
        var mates = Enumerable.Range(0, 3).Select(_ => Ledger.Remote.New()).ToList();
        var pids = Ray.Get(mates.Select(l => l.Pid()).ToList());
        var mate = mates[Array.IndexOf(pids, clientPid)]; // one of three lands there (each goes to the worker with the fewest)

        var inner = Ray.Get(client.SlowEchoOf(mate, 6));

        Assert.Equal(6, Ray.Get(inner, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void A_straight_call_in_flight_when_the_actors_worker_dies_fails_and_later_calls_reach_the_restarted_actor()
    {
        Start(o => o.NumCpus = 4);
        using var signals = new FileSignals();
        var (ledger, client) = LedgerAndClientApart(new ActorOptions { MaxRestarts = 1 });
        var ledgerPid = Ray.Get(ledger.Pid());

        var report = client.HoldAndReport(signals.Directory);
        signals.Await("holding"); // the call went straight to the ledger's worker and runs there
        Driver.Workers.Single(w => w.Pid == ledgerPid).Process.Kill();

        var outcome = Ray.Get(report, TimeSpan.FromSeconds(30));
        Assert.StartsWith("died:", outcome);
        // Once the driver knows of the death (a call it sends before that fails too: it was in flight), later calls
        // reach the restarted ledger, through the driver, which knows where it is now.
        Assert.True(SpinWait.SpinUntil(() => ((RemoteActor)ledger.Actor).Restarts == 1, TimeSpan.FromSeconds(30)), "the ledger was not restarted");
        Assert.Equal([7], Ray.Get(client.AppendAll(new List<int> { 7 }), TimeSpan.FromSeconds(60)));
        Assert.NotEqual(ledgerPid, Ray.Get(ledger.Pid(), TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void A_straight_call_to_a_killed_actor_fails_with_ActorDiedException()
    {
        Start();
        var (ledger, client) = LedgerAndClientApart();
        Assert.Equal([1], Ray.Get(client.AppendAll(new List<int> { 1 }))); // located: the next calls go straight

        Ray.Kill(ledger);

        var outcome = Ray.Get(client.AppendAndReport(2), TimeSpan.FromSeconds(30));
        Assert.StartsWith("died:", outcome);
    }
}

/// <summary>An actor that records the order its calls came in.</summary>
[Remote]
public sealed partial class Ledger
{
    private readonly List<int> _seen = [];

    public int Append(int value)
    {
        _seen.Add(value);
        return value;
    }

    public List<int> Seen() => _seen;

    public int Pid() => Environment.ProcessId;

    public int Sum(int a, int b) => a + b;

    public int SlowEcho(int value, int millis)
    {
        Thread.Sleep(millis);
        return value;
    }

    public int Hold(string directory, string name, int millis) => WorkerRemotes.HoldAfterRaising(directory, name, millis);
}

/// <summary>Calls a <see cref="Ledger"/> from its own code, in another worker.</summary>
[Remote]
public sealed partial class LedgerClient
{
    private readonly ActorHandle<Ledger> _ledger;

    public LedgerClient(ActorHandle<Ledger> ledger) => _ledger = ledger;

    public int Pid() => Environment.ProcessId;

    public List<int> AppendOneByOne(int count) => AppendOneByOneTo(_ledger, 0, count);

    // Through a handle given with the call (read here for this call alone), not the one this client keeps.
    public List<int> AppendOneByOneTo(ActorHandle<Ledger> ledger, int from, int count)
    {
        var answers = new List<int>(count);
        for (var i = from; i < from + count; i++)
        {
            answers.Add(Ray.Get(ledger.Append(i)));
        }
        return answers;
    }

    // How many handles this worker still has to the actor of that id once its garbage is collected.
    public int HandlesToAfterCollection(string id)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return RayRuntime.Current!.Actors.All.Count(a => a.Id.ToString() == id);
    }

    // Calls another ledger until they go straight to its worker.
    public int Warm(ActorHandle<Ledger> other)
    {
        for (var i = 0; i < 3; i++)
        {
            Ray.Get(other.Pid());
        }
        return Ray.Get(other.Pid());
    }

    // Two streams of calls, each sent without waiting (a short pause every 20 keeps answers coming meanwhile);
    // between them the caller waits for the last of the first.
    public List<int> AppendStreaming(int count)
    {
        var sent = new List<ObjectRef<int>>(count);
        for (var i = 0; i < count; i++)
        {
            sent.Add(_ledger.Append(i));
            if (i == count / 2)
            {
                Ray.Get(sent[^1]);
            }
            else if (i % 20 == 19)
            {
                Thread.Sleep(1);
            }
        }
        return Ray.Get(sent).ToList();
    }

    public List<int> AppendAll(List<int> values) => Ray.Get(values.Select(v => _ledger.Append(v))).ToList();

    public int SumWithPendingTask(int value)
    {
        Ray.Get(_ledger.Pid()); // located
        return Ray.Get(_ledger.Sum(LedgerTasks.Remote.SlowValue(value, 300), 1));
    }

    public int SumWithPendingCall(int value)
    {
        Ray.Get(_ledger.Pid());
        return Ray.Get(_ledger.Sum(_ledger.SlowEcho(value, 300), 1));
    }

    public ObjectRef<int> SlowEchoRef(int value)
    {
        Ray.Get(_ledger.Pid());
        return _ledger.SlowEcho(value, 300);
    }

    public ObjectRef<int> SlowEchoOf(ActorHandle<Ledger> other, int value) => other.SlowEcho(value, 300);

    public int AddOneToSlowEcho(int value)
    {
        Ray.Get(_ledger.Pid());
        return Ray.Get(WorkerRemotes.Remote.AddOne(_ledger.SlowEcho(value, 300)));
    }

    public string HoldAndReport(string directory)
    {
        Ray.Get(_ledger.Pid());
        return Report(_ledger.Hold(directory, "holding", 60_000));
    }

    public string AppendAndReport(int value) => Report(_ledger.Append(value));

    private static string Report(ObjectRef<int> call)
    {
        try
        {
            return $"returned {Ray.Get(call, TimeSpan.FromSeconds(60))}";
        }
        catch (ActorDiedException error)
        {
            return $"died: {error.Message}";
        }
    }
}

public static partial class LedgerTasks
{
    [Remote]
    public static int SlowValue(int value, int millis)
    {
        Thread.Sleep(millis);
        return value;
    }
}
