namespace GenRay.Benchmarks;

/// <summary>The remote functions and actors of Ray's <c>ray_perf.py</c>, one for one.</summary>
public static partial class PerfTasks
{
    private static readonly byte[] s_ok = "ok"u8.ToArray();

    /// <summary><c>small_value</c>: returns <c>b"ok"</c>.</summary>
    [Remote]
    public static byte[] SmallValue() => s_ok;

    /// <summary><c>small_value_batch</c>: submits n small tasks and gets them.</summary>
    [Remote]
    public static int SmallValueBatch(int n)
    {
        var submitted = new ObjectRef<byte[]>[n];
        for (var i = 0; i < n; i++)
        {
            submitted[i] = Remote.SmallValue();
        }
        Ray.Get(submitted);
        return 0;
    }

    /// <summary><c>create_object_containing_ref</c>: 10,000 puts, returned as a list of refs.</summary>
    [Remote]
    public static List<ObjectRef<int>> CreateObjectContainingRef()
    {
        var refs = new List<ObjectRef<int>>(10_000);
        for (var i = 0; i < 10_000; i++)
        {
            refs.Add(Ray.Put(1));
        }
        return refs;
    }

    /// <summary><c>do_put_small</c>: 100 small puts.</summary>
    [Remote]
    public static void DoPutSmall()
    {
        for (var i = 0; i < 100; i++)
        {
            Ray.Put(0);
        }
    }

    /// <summary><c>work</c> of "n:n actor calls async": n calls spread over the actors, then get.</summary>
    [Remote]
    public static void Work(List<ActorHandle<PerfActor>> actors, int n)
    {
        var calls = new ObjectRef<byte[]>[n];
        for (var i = 0; i < n; i++)
        {
            calls[i] = actors[i % actors.Count].SmallValue();
        }
        Ray.Get(calls);
    }

    /// <summary><c>async_actor_work</c>: the same over async actors.</summary>
    [Remote]
    public static void AsyncActorWork(List<ActorHandle<PerfAsyncActor>> actors, int n)
    {
        var calls = new ObjectRef<byte[]>[n];
        for (var i = 0; i < n; i++)
        {
            calls[i] = actors[i % actors.Count].SmallValue();
        }
        Ray.Get(calls);
    }
}

/// <summary><c>Actor</c> (num_cpus=0).</summary>
[Remote]
public partial class PerfActor
{
    private static readonly byte[] s_ok = "ok"u8.ToArray();

    public byte[] SmallValue() => s_ok;

    public byte[] SmallValueArg(int x) => s_ok;

    public void SmallValueBatch(int n)
    {
        var submitted = new ObjectRef<byte[]>[n];
        for (var i = 0; i < n; i++)
        {
            submitted[i] = PerfTasks.Remote.SmallValue();
        }
        Ray.Get(submitted);
    }
}

/// <summary><c>AsyncActor</c>.</summary>
[Remote]
public partial class PerfAsyncActor
{
    private static readonly byte[] s_ok = "ok"u8.ToArray();

    public async Task<byte[]> SmallValue()
    {
        await Task.CompletedTask;
        return s_ok;
    }

    public async Task<byte[]> SmallValueWithArg(int x)
    {
        await Task.CompletedTask;
        return s_ok;
    }
}

/// <summary><c>Client</c> (num_cpus=0): calls its servers from inside an actor.</summary>
[Remote]
public partial class PerfClient
{
    private readonly List<ActorHandle<PerfActor>> _servers;
    private readonly List<ActorHandle<PerfAsyncActor>> _asyncServers;

    public PerfClient(List<ActorHandle<PerfActor>> servers, List<ActorHandle<PerfAsyncActor>> asyncServers)
    {
        _servers = servers;
        _asyncServers = asyncServers;
    }

    public void SmallValueBatch(int n)
    {
        var results = new List<ObjectRef<byte[]>>((_servers.Count + _asyncServers.Count) * n);
        foreach (var server in _servers)
        {
            for (var i = 0; i < n; i++)
            {
                results.Add(server.SmallValue());
            }
        }
        foreach (var server in _asyncServers)
        {
            for (var i = 0; i < n; i++)
            {
                results.Add(server.SmallValue());
            }
        }
        Ray.Get(results);
    }

    public void SmallValueBatchArg(int n)
    {
        var x = Ray.Put(0);
        var results = new List<ObjectRef<byte[]>>(_servers.Count * n);
        foreach (var server in _servers)
        {
            for (var i = 0; i < n; i++)
            {
                results.Add(server.SmallValueArg(x));
            }
        }
        Ray.Get(results);
    }
}

/// <summary>Makes and reads large arrays, to time moving them between processes.</summary>
[Remote]
public partial class PerfTransfer
{
    public byte[] Make(int size)
    {
        var data = GC.AllocateUninitializedArray<byte>(size);
        data.AsSpan().Fill(1);
        return data;
    }

    public int Length(byte[] data) => data.Length;

    public int Pid() => Environment.ProcessId;
}
