using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Concurrency;
using Orleans.Hosting;

namespace GenRay.Benchmarks;

/// <summary>
/// The same patterns as Orleans 10 grains, timed in the same run as GenRay's figure: the targets of the benchmarks
/// issue are multiples of what Orleans does on this machine, and this machine's speed moves by a factor of two from
/// one hour to the next, so a figure of Orleans measured another day says little. In one process the silo runs here
/// and the calls come from its own client (the grain factory of the host); across processes the silo runs in a child
/// process and a client here calls it through its gateway on loopback TCP (Orleans has no Unix-socket transport).
/// Actors are grains; tasks are calls to a <see cref="StatelessWorkerAttribute"/> grain, Orleans' answer to work
/// that any activation may run.
/// </summary>
public sealed class OrleansBaselines : IAsyncDisposable
{
    public const string SiloFlag = "--orleans-silo";

    private static OrleansBaselines? s_shared;

    private readonly IHost _host;
    private readonly Process? _silo;

    private OrleansBaselines(IHost host, Process? silo)
    {
        _host = host;
        _silo = silo;
        Grains = host.Services.GetRequiredService<IGrainFactory>();
    }

    private IGrainFactory Grains { get; }

    /// <summary>What a baseline of this kind is called in the table.</summary>
    public static string Describe(bool crossProcess, string pattern) =>
        crossProcess ? $"Orleans client → silo process, {pattern}" : $"Orleans in one process, {pattern}";

    /// <summary>
    /// The Orleans of this metric, started on first use: a silo hosted here, or, given <paramref name="startSilo"/>
    /// (which starts a process that runs <see cref="ServeAsync"/>), a client of that child's silo.
    /// <see cref="StopSharedAsync"/> ends it, so no idle silo runs beside the next metric.
    /// </summary>
    public static async ValueTask<OrleansBaselines> SharedAsync(Func<Process>? startSilo) =>
        s_shared ??= startSilo is null ? await HostSiloAsync() : await ConnectToChildSiloAsync(startSilo);

    public static async ValueTask StopSharedAsync()
    {
        if (s_shared is { } shared)
        {
            s_shared = null;
            await shared.DisposeAsync();
        }
    }

    /// <summary>One call to the grain at a time, blocking on its result (as <c>Ray.Get</c>).</summary>
    public Func<ValueTask> ActorSync()
    {
        var grain = Grains.GetGrain<IPerfGrain>(0);
        return () =>
        {
            grain.SmallValue().AsTask().GetAwaiter().GetResult(); // a pending ValueTask may not be blocked on
            return default;
        };
    }

    /// <summary>One call to the grain at a time, awaited.</summary>
    public Func<ValueTask> ActorAwait()
    {
        var grain = Grains.GetGrain<IPerfGrain>(0);
        return async () => await grain.SmallValue();
    }

    /// <summary><paramref name="n"/> calls to one grain, then a wait for them all.</summary>
    public Func<ValueTask> ActorBatch(int n)
    {
        var grain = Grains.GetGrain<IPerfGrain>(0);
        return () => CallAll([grain], n);
    }

    /// <summary><paramref name="callers"/> callers at once, each making <paramref name="n"/> calls spread over <paramref name="grains"/> grains.</summary>
    public Func<ValueTask> ActorsMany(int callers, int grains, int n)
    {
        var targets = Enumerable.Range(0, grains).Select(i => Grains.GetGrain<IPerfGrain>(i)).ToArray();
        return async () => await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(() => CallAll(targets, n).AsTask())));
    }

    /// <summary>One call to the stateless worker at a time, blocking on its result.</summary>
    public Func<ValueTask> TaskSync()
    {
        var worker = Grains.GetGrain<IPerfWorkerGrain>(0);
        return () =>
        {
            worker.SmallValue().AsTask().GetAwaiter().GetResult();
            return default;
        };
    }

    /// <summary><paramref name="n"/> calls to the stateless worker, then a wait for them all.</summary>
    public Func<ValueTask> TaskBatch(int n)
    {
        var worker = Grains.GetGrain<IPerfWorkerGrain>(0);
        return async () =>
        {
            var calls = new Task<byte[]>[n];
            for (var i = 0; i < n; i++)
            {
                calls[i] = worker.SmallValue().AsTask();
            }
            await Task.WhenAll(calls);
        };
    }

    /// <summary><paramref name="callers"/> callers at once, each making <paramref name="n"/> calls to the stateless worker.</summary>
    public Func<ValueTask> TasksMany(int callers, int n)
    {
        var batch = TaskBatch(n);
        return async () => await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(() => batch().AsTask())));
    }

    private static async ValueTask CallAll(IPerfGrain[] grains, int n)
    {
        var calls = new Task<byte[]>[n];
        for (var i = 0; i < n; i++)
        {
            calls[i] = grains[i % grains.Length].SmallValue().AsTask();
        }
        await Task.WhenAll(calls);
    }

    private static async Task<OrleansBaselines> HostSiloAsync()
    {
        var host = SiloHost(FreePort(), FreePort());
        await host.StartAsync();
        return new OrleansBaselines(host, null);
    }

    private static async Task<OrleansBaselines> ConnectToChildSiloAsync(Func<Process> startSilo)
    {
        var silo = startSilo();
        try
        {
            var line = await silo.StandardOutput.ReadLineAsync();
            if (!int.TryParse(line, out var gateway))
            {
                throw new InvalidOperationException($"The Orleans silo did not start (it said '{line}').");
            }
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.UseOrleansClient(client => client.UseLocalhostClustering(gateway));
            var host = builder.Build();
            await host.StartAsync();
            return new OrleansBaselines(host, silo);
        }
        catch
        {
            silo.Kill();
            silo.Dispose();
            throw;
        }
    }

    private static IHost SiloHost(int siloPort, int gatewayPort)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort, gatewayPort));
        return builder.Build();
    }

    // A loopback port nobody listens on now (Orleans' localhost clustering wants numbers, not port 0).
    private static int FreePort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        if (_silo is { } silo)
        {
            silo.StandardInput.Close();
            if (!silo.WaitForExit(10_000))
            {
                silo.Kill();
            }
            silo.Dispose();
        }
    }

    /// <summary>The child silo: prints its gateway port once it serves, stops when its stdin closes.</summary>
    public static async Task ServeAsync()
    {
        using var host = SiloHost(FreePort(), FreePort());
        await host.StartAsync();
        var gateway = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Orleans.Configuration.EndpointOptions>>().Value.GatewayPort;
        Console.WriteLine(gateway);
        await Task.Run(() => Console.In.ReadToEnd());
        await host.StopAsync();
    }
}

/// <summary>Ray's <c>Actor.small_value</c> as a grain.</summary>
public interface IPerfGrain : IGrainWithIntegerKey
{
    ValueTask<byte[]> SmallValue();
}

/// <summary>Ray's <c>small_value</c> task as a call any activation may run.</summary>
public interface IPerfWorkerGrain : IGrainWithIntegerKey
{
    ValueTask<byte[]> SmallValue();
}

internal sealed class PerfGrain : Grain, IPerfGrain
{
    private static readonly byte[] s_ok = "ok"u8.ToArray();

    public ValueTask<byte[]> SmallValue() => new(s_ok);
}

[StatelessWorker]
internal sealed class PerfWorkerGrain : Grain, IPerfWorkerGrain
{
    private static readonly byte[] s_ok = "ok"u8.ToArray();

    public ValueTask<byte[]> SmallValue() => new(s_ok);
}
