using GenRay.Tests.Support;

namespace GenRay.Tests.Actors;

/// <summary>The seed's Adder.</summary>
[Remote]
public partial class Adder
{
    private int _x;
    private int _y;
    private int _sum;

    public Adder(int x = 0, int y = 0)
    {
        _x = x;
        _y = y;
        _sum = x + y;
    }

    public void Clear() => _x = _y = _sum = 0;

    public int GetSum() => _sum;

    public int Add(int x = 0, int y = 0)
    {
        _x = x;
        _y = y;
        _sum += _x + _y;
        return _sum;
    }
}

/// <summary>The seed's Counter.</summary>
[Remote]
public partial class Counter
{
    private int _x;

    public Counter(int x) => _x = x;

    public void Inc() => _x++;

    public int GetValue() => _x;

    public int Read(ActorHandle<Counter> other) => Ray.Get(other.GetValue());
}

/// <summary>Holds handles to other actors from its constructor and calls them from its methods.</summary>
[Remote]
public partial class Relay
{
    private readonly List<ActorHandle<Counter>> _counters;

    public Relay(List<ActorHandle<Counter>> counters) => _counters = counters;

    public int IncrementAll(int times)
    {
        var calls = new List<ObjectRef>();
        foreach (var counter in _counters)
        {
            for (var i = 0; i < times; i++)
            {
                calls.Add(counter.Inc());
            }
        }
        Ray.Get(calls);
        return Ray.Get(_counters.Select(c => c.GetValue())).Sum();
    }
}

/// <summary>The seed's MessageActor.</summary>
[Remote]
public partial class MessageActor
{
    private List<string> _messages = [];

    public void AddMessage(string message) => _messages.Add(message);

    public List<string> GetAndClearMessages()
    {
        var messages = _messages;
        _messages = [];
        return messages;
    }
}

/// <summary>Records the order calls arrive in.</summary>
[Remote]
public partial class Recorder
{
    private readonly List<int> _seen = [];

    public void Record(int value) => _seen.Add(value);

    public List<int> Seen() => [.. _seen];

    public int Count() => _seen.Count;

    public int Pid() => Environment.ProcessId;
}

/// <summary>A threaded actor: up to four calls at once.</summary>
[Remote(MaxConcurrency = 4)]
public partial class Threaded
{
    // Static, but read through the actor: in worker-process mode it lives in the actor's process.
    private static Peak Concurrency = new();

    public Threaded() => Concurrency = new Peak();

    public int MostAtOnce() => Concurrency.Max;

    private readonly Barrier _meeting = new(4);

    public int Echo(int value) => value;

    /// <summary>Returns once four calls are in it at the same time (false after 20 s without).</summary>
    public bool Meet() => _meeting.SignalAndWait(TimeSpan.FromSeconds(20));

    /// <summary>Blocks on a call to this same actor, queued behind this one.</summary>
    public int EchoThrough(ActorHandle<Threaded> self, int value) => Ray.Get(self.Echo(value), TimeSpan.FromSeconds(20));

    public int Work(int millis)
    {
        using (Concurrency.Enter())
        {
            Thread.Sleep(millis);
        }
        return millis;
    }
}

/// <summary>An async actor: up to three calls in flight, interleaving at awaits, never two pieces of code at once.</summary>
[Remote(MaxConcurrency = 3)]
public partial class Interleaving
{
    private static Peak InFlight = new();
    private static Peak Running = new();

    public Interleaving()
    {
        InFlight = new Peak();
        Running = new Peak();
    }

    public (int InFlight, int Running) MostAtOnce() => (InFlight.Max, Running.Max);

    public async Task<int> Work(int millis)
    {
        using (InFlight.Enter())
        {
            using (Running.Enter())
            {
                Thread.Sleep(5); // a synchronous stretch: nobody else may run on this actor meanwhile
            }
            await Task.Delay(millis);
            using (Running.Enter())
            {
                Thread.Sleep(5);
            }
        }
        return millis;
    }
}

/// <summary>A non-reentrant async actor (MaxConcurrency 1): one call at a time, awaits included.</summary>
[Remote]
public partial class OneAtATime
{
    private readonly Peak _inFlight = new();
    private readonly List<int> _order = [];

    public int MostAtOnce() => _inFlight.Max;

    public async Task<int> Work(int id, int millis)
    {
        using (_inFlight.Enter())
        {
            _order.Add(id);
            await Task.Delay(millis);
            _order.Add(id);
        }
        return id;
    }

    public List<int> Order() => [.. _order];
}

/// <summary>Fails on demand, in its constructor or a method.</summary>
[Remote]
public partial class Fragile
{
    private int _calls;

    public Fragile(bool failInConstructor)
    {
        if (failInConstructor)
        {
            throw new InvalidOperationException("constructor refused");
        }
    }

    public int Boom() => throw new ArgumentException($"boom after {_calls} calls");

    public int Touch() => ++_calls;

    public int Block(int millis)
    {
        Thread.Sleep(millis);
        return ++_calls;
    }
}

/// <summary>An actor that reserves a CPU for its lifetime.</summary>
[Remote(NumCpus = 1)]
public partial class CpuHolder
{
    public int Ping() => 1;
}

/// <summary>Tasks that use actor handles.</summary>
public static partial class ActorTasks
{
    [Remote]
    public static void PushMessages(ActorHandle<MessageActor> actor, int worker, int count, int sleepMillis)
    {
        for (var i = 0; i < count; i++)
        {
            Thread.Sleep(sleepMillis);
            actor.AddMessage($"MSG {i} by WKR {worker}.");
        }
    }

    [Remote]
    public static int IncrementAndRead(ActorHandle<Counter> counter, int times)
    {
        for (var i = 0; i < times; i++)
        {
            counter.Inc();
        }
        return Ray.Get(counter.GetValue());
    }

    [Remote]
    public static ActorHandle<Counter> MakeCounter(int start) => Counter.Remote.New(start);

    /// <summary>Creates a named actor with restarts from inside a task; returns the pid of the process that ran it.</summary>
    [Remote]
    public static int MakeNamedCounter(string name, int start)
    {
        Counter.Remote.With(new ActorOptions { Name = name, MaxRestarts = 2 }).New(start);
        return Environment.ProcessId;
    }

    /// <summary>Looks a named actor up from inside a task and reads it.</summary>
    [Remote]
    public static int ReadNamedCounter(string name) => Ray.Get(Ray.GetActor<Counter>(name).GetValue());
}
