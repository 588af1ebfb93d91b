using System.Security.Cryptography;
using GenRay.Scheduling;

namespace GenRay;

/// <summary>
/// A running GenRay: what <see cref="Ray.Init(RayOptions?)"/> returns. Disposing it shuts GenRay down, so
/// <c>using var ray = Ray.Init();</c> scopes a program's use of it.
/// </summary>
public sealed class RayRuntime : IDisposable, IAsyncDisposable
{
    private static readonly object s_lifecycle = new();
    private static RayRuntime? s_current;

    private readonly CancellationTokenSource _shutdown = new();
    private readonly RayOptions _options;
    private volatile bool _isShutDown;

    private RayRuntime(RayOptions options)
    {
        _options = options;
        OwnerId = NewOwnerId();
        OwnerNumber = OwnerNumbers.Of(OwnerId);
        Namespace = options.Namespace ?? "default";

        var cpus = options.NumCpus ?? Environment.ProcessorCount;
        if (cpus < 0 || double.IsNaN(cpus) || double.IsInfinity(cpus))
        {
            throw new RayException($"RayOptions.NumCpus must be a finite number of 0 or more (it is {cpus}).");
        }
        var custom = new Dictionary<string, double>(options.Resources, StringComparer.Ordinal);
        if (custom.ContainsKey(NodeResources.Cpu))
        {
            throw new RayException("Set CPUs with RayOptions.NumCpus, not as a custom resource named \"CPU\".");
        }
        if (options.NumGpus is > 0 and var gpus)
        {
            custom[NodeResources.Gpu] = gpus;
        }
        foreach (var (name, amount) in custom)
        {
            if (amount < 0 || double.IsNaN(amount))
            {
                throw new RayException($"Custom resource '{name}' must be 0 or more (it is {amount}).");
            }
        }

        Resources = new NodeResources(cpus, custom);
        Scheduler = new ResourceScheduler(Resources);
        Actors = new ActorDirectory();
        Workers = new TaskWorkers();
        Executor = new LocalExecutor(this);
    }

    /// <summary>The logical CPUs of this node.</summary>
    public double NumCpus => Resources.TotalCpus;

    /// <summary>The namespace named actors live in unless <see cref="ActorOptions.Namespace"/> says otherwise.</summary>
    public string Namespace { get; }

    /// <summary>True once <see cref="Ray.Shutdown"/> ran (or this runtime was disposed).</summary>
    public bool IsShutDown => _isShutDown;

    internal ulong OwnerId { get; }

    /// <summary>This process's number for <see cref="OwnerId"/> (<see cref="OwnerNumbers"/>), which its refs keep.</summary>
    internal int OwnerNumber { get; }

    internal RayOptions Options => _options;

    internal NodeResources Resources { get; }

    internal ResourceScheduler Scheduler { get; }

    internal ActorDirectory Actors { get; }

    internal TaskWorkers Workers { get; }

    /// <summary>Where remote work runs: this process, worker processes, or (in a worker) the driver.</summary>
    internal Executor Executor { get; private set; }

    /// <summary>The wire context values cross processes in (in-process: a loopback one, for strict serialization).</summary>
    internal Serialization.WireContext Wire => Executor.Wire ?? s_loopback;

    private static readonly Serialization.LoopbackWireContext s_loopback = new();

    internal Cluster.Fetched Fetch(Cluster.RemoteValue location, ObjectId id) => Executor.Fetch(location, id);

    /// <summary>Reads a value that came from another process, in this runtime's wire context.</summary>
    /// <summary>Reads a value; <paramref name="what"/> (a ref) is formatted only into an error, never on the hot path.</summary>
    internal T DeserializeValue<T>(System.Buffers.ReadOnlySequence<byte> bytes, object what)
    {
        using var scope = Serialization.WireContext.Enter(Wire);
        try
        {
            var reader = new MessagePack.MessagePackReader(bytes);
            return Serialization.WireOptions.Formatter<T>().Deserialize(ref reader, Serialization.WireOptions.Instance);
        }
        catch (MessagePack.MessagePackSerializationException error)
        {
            throw new RayException($"The value of {what} could not be read: {error.Message}", error);
        }
    }

    internal CancellationToken ShutdownToken => _shutdown.Token;

    internal static RayRuntime? Current => Volatile.Read(ref s_current);

    /// <summary>Every resource of the node and its total, like Ray's <c>ray.cluster_resources()</c>.</summary>
    public IReadOnlyDictionary<string, double> ClusterResources() => Resources.Snapshot(available: false);

    /// <summary>What is free right now, like Ray's <c>ray.available_resources()</c>.</summary>
    public IReadOnlyDictionary<string, double> AvailableResources() => Resources.Snapshot(available: true);

    internal static RayRuntime RequireCurrent() =>
        Volatile.Read(ref s_current) ?? throw new RayException(
            "GenRay is not running: call Ray.Init() before calling a remote stub, Ray.Put or Ray.GetActor " +
            "(for example `using var ray = Ray.Init();` at the start of Main).");

    internal static RayRuntime Start(RayOptions? options)
    {
        options = options?.Clone() ?? new RayOptions();
        lock (s_lifecycle)
        {
            if (s_current is { } running)
            {
                if (options.IgnoreReinitError)
                {
                    return running;
                }
                throw new RayException(
                    "Ray.Init() was called again while GenRay is running. Call Ray.Shutdown() first, " +
                    "or pass new RayOptions { IgnoreReinitError = true } to reuse the running instance.");
            }

            if (options.WorkerProcesses < 0)
            {
                throw new RayException($"RayOptions.WorkerProcesses must be 0 (in-process) or more (it is {options.WorkerProcesses}).");
            }
            if (Cluster.WorkerNode.IsWorkerProcess)
            {
                // This process was started by a driver to be one of its workers: serve, then exit. Its named actors
                // live in the driver's namespace, whatever options this program's Init passed.
                var served = options.Clone();
                served.Namespace = Environment.GetEnvironmentVariable(Cluster.WorkerLauncher.NamespaceVariable) ?? options.Namespace;
                var worker = new RayRuntime(served);
                Volatile.Write(ref s_current, worker);
                Cluster.WorkerNode.Serve(worker, executor => worker.Executor = executor);
            }
            var address = options.Address ?? Environment.GetEnvironmentVariable("GENRAY_ADDRESS");
            if (!string.IsNullOrWhiteSpace(address))
            {
                return StartOnCluster(options, address.Trim(), fromEnvironment: options.Address is null);
            }
            var runtime = new RayRuntime(options);
            if (options.WorkerProcesses > 0)
            {
                runtime.Executor = Cluster.DriverNode.Start(runtime, options.WorkerProcesses);
            }
            Volatile.Write(ref s_current, runtime);
            return runtime;
        }
    }

    // Under the lifecycle lock. The driver of a job on a cluster: its resources are the cluster's, its work runs
    // in workers the nodes start for it.
    private static RayRuntime StartOnCluster(RayOptions options, string address, bool fromEnvironment)
    {
        // Options that describe a node of this machine contradict an Address given in code (as in Ray, whose
        // init refuses num_cpus with an address). GENRAY_ADDRESS exists to run an unchanged program on a cluster,
        // so there they are set aside, saying so.
        var local = new List<string>();
        if (options.WorkerProcesses > 0)
        {
            local.Add($"WorkerProcesses = {options.WorkerProcesses}");
        }
        if (options.NumCpus is { } localCpus)
        {
            local.Add($"NumCpus = {localCpus}");
        }
        if (options.NumGpus is { } localGpus)
        {
            local.Add($"NumGpus = {localGpus}");
        }
        if (options.Resources.Count > 0)
        {
            local.Add("Resources");
        }
        if (local.Count > 0)
        {
            var what = string.Join(", ", local);
            if (!fromEnvironment)
            {
                throw new RayException(
                    $"RayOptions {what} describe this machine's node, but Address (\"{address}\") connects to a cluster, whose nodes were started " +
                    "with their own CPUs and resources (genray start --num-cpus/--resources). Set one or the other.");
            }
            Console.Error.WriteLine($"GenRay: connecting to the cluster at {address} (GENRAY_ADDRESS); RayOptions {what} describe a node of this machine and are set aside.");
        }
        var session = Cluster.Nodes.ClusterSession.Connect(address, options.Namespace);
        RayRuntime? runtime = null;
        try
        {
            var (cpus, custom) = session.Totals();
            var clustered = options.Clone();
            clustered.NumCpus = cpus;
            clustered.Resources = custom;
            clustered.Address = address;
            clustered.WorkerProcesses = 0;
            clustered.NumGpus = null;
            clustered.Namespace = session.Namespace;
            runtime = new RayRuntime(clustered);
            runtime.Executor = Cluster.DriverNode.StartCluster(runtime, session);
            Volatile.Write(ref s_current, runtime);
            return runtime;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    internal static void ShutdownCurrent()
    {
        RayRuntime? runtime;
        lock (s_lifecycle)
        {
            runtime = s_current;
            s_current = null;
        }
        runtime?.Stop();
    }

    /// <summary>Shuts GenRay down (same as <see cref="Ray.Shutdown"/> when this is the running instance).</summary>
    public void Dispose()
    {
        lock (s_lifecycle)
        {
            if (ReferenceEquals(s_current, this))
            {
                s_current = null;
            }
        }
        Stop();
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void Stop()
    {
        if (_isShutDown)
        {
            return;
        }
        _isShutDown = true;
        var reason = new RayException("GenRay was shut down before this work ran.");
        Scheduler.Stop(reason);
        Actors.Stop("GenRay was shut down");
        Executor.Stop();
        Workers.Stop();
        _shutdown.Cancel();
    }

    internal void ThrowIfShutDown(ObjectRef target)
    {
        if (_isShutDown)
        {
            throw new RayException(
                $"{target} belongs to a GenRay runtime that was shut down: objects do not outlive Ray.Shutdown(). " +
                "Get the values you need before shutting down, or call Ray.Init() again and resubmit the work.");
        }
    }

    internal void ThrowIfNotCurrent(string what)
    {
        if (!ReferenceEquals(Current, this))
        {
            throw new RayException($"{what} belongs to a GenRay runtime that was shut down; it cannot be used after Ray.Shutdown().");
        }
    }

    private static ulong NewOwnerId()
    {
        Span<byte> bytes = stackalloc byte[8];
        ulong id;
        do
        {
            RandomNumberGenerator.Fill(bytes);
            id = BitConverter.ToUInt64(bytes);
        }
        while (id == 0);
        return id;
    }
}
