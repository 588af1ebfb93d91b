using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GenRay.Benchmarks;

/// <summary>
/// The transport's floor: the same message patterns as the worker-mode metrics, over raw gRPC (Kestrel h2c on
/// loopback, Grpc.Net.Client, byte[] messages, no GenRay) to an echo server in another process. GenRay's figure
/// beside these is the runtime's overhead over the wire it uses.
/// </summary>
internal sealed class GrpcBaselines : IAsyncDisposable
{
    public const string ServeFlag = "--grpc-echo-server";

    /// <summary>GenRay's HTTP/2 stream window (NodeServer.TransportWindow).</summary>
    private const int Window = 16 << 20;

    /// <summary>A message the size of a small task spec (method id, ids, a small argument).</summary>
    private static readonly byte[] s_small = new byte[48];

    private static GrpcBaselines? s_shared;

    private readonly Process _server;
    private readonly GrpcChannel _channel;
    private readonly CallInvoker _invoker;
    private readonly AsyncDuplexStreamingCall<byte[], byte[]> _stream;

    private GrpcBaselines(Process server, string address)
    {
        _server = server;
        // The same HTTP/2 windows as GenRay's own endpoint, so the floor is measured on the same wire.
        _channel = GrpcChannel.ForAddress($"http://{address}", new GrpcChannelOptions
        {
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,
            HttpHandler = new SocketsHttpHandler { InitialHttp2StreamWindowSize = Window },
        });
        _invoker = _channel.CreateCallInvoker();
        _stream = _invoker.AsyncDuplexStreamingCall(EchoService.EchoMethod, null, default);
    }

    /// <summary>The echo server of this run, started on first use in a child process.</summary>
    public static GrpcBaselines Shared => s_shared ??= Start();

    public static async ValueTask StopSharedAsync()
    {
        if (s_shared is { } shared)
        {
            s_shared = null;
            await shared.DisposeAsync();
        }
    }

    private static GrpcBaselines Start()
    {
        var self = Environment.ProcessPath!;
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(typeof(GrpcBaselines).Assembly.Location);
        }
        info.ArgumentList.Add(ServeFlag);
        var server = Process.Start(info)!;
        var address = server.StandardOutput.ReadLine() ?? throw new InvalidOperationException("The gRPC echo server did not start.");
        return new GrpcBaselines(server, address);
    }

    /// <summary>One small message over the duplex stream and its echo, one at a time.</summary>
    public Func<ValueTask> PingPong() => async () =>
    {
        await _stream.RequestStream.WriteAsync(s_small);
        await _stream.ResponseStream.MoveNext(CancellationToken.None);
    };

    /// <summary>A sequential unary call.</summary>
    public Func<ValueTask> Unary() => async () => await _invoker.AsyncUnaryCall(EchoService.SingleMethod, null, default, s_small);

    /// <summary><paramref name="n"/> small messages, one gRPC message each, then their <paramref name="n"/> echoes.</summary>
    public Func<ValueTask> OnePerWrite(int n) => async () =>
    {
        var reading = Task.Run(async () =>
        {
            for (var i = 0; i < n; i++)
            {
                await _stream.ResponseStream.MoveNext(CancellationToken.None);
            }
        });
        for (var i = 0; i < n; i++)
        {
            await _stream.RequestStream.WriteAsync(s_small);
        }
        await reading;
    };

    /// <summary><paramref name="n"/> small messages in one gRPC message and their echo: the batching GenRay does.</summary>
    public Func<ValueTask> Batched(int n)
    {
        var batch = new byte[s_small.Length * n];
        return async () =>
        {
            await _stream.RequestStream.WriteAsync(batch);
            await _stream.ResponseStream.MoveNext(CancellationToken.None);
        };
    }

    /// <summary><paramref name="bytes"/> streamed from the server in 1 MiB messages.</summary>
    public Func<ValueTask> Download(int bytes) => async () =>
    {
        using var call = _invoker.AsyncServerStreamingCall(EchoService.DownloadMethod, null, default, BitConverter.GetBytes(bytes));
        var received = 0L;
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            received += call.ResponseStream.Current.Length;
        }
        if (received != bytes)
        {
            throw new InvalidOperationException($"Received {received} of {bytes} bytes.");
        }
    };

    public async ValueTask DisposeAsync()
    {
        await _stream.RequestStream.CompleteAsync();
        _stream.Dispose();
        _channel.Dispose();
        _server.StandardInput.Close();
        if (!_server.WaitForExit(5000))
        {
            _server.Kill();
        }
        _server.Dispose();
    }

    /// <summary>The echo server: prints its address, serves until its stdin closes.</summary>
    public static async Task ServeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(System.Net.IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2);
            k.Limits.Http2.InitialConnectionWindowSize = Window * 2;
            k.Limits.Http2.InitialStreamWindowSize = Window;
        });
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = null;
            o.MaxSendMessageSize = null;
        });
        builder.Services.AddSingleton<EchoService>();
        var app = builder.Build();
        app.MapGrpcService<EchoService>();
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        Console.WriteLine($"127.0.0.1:{port}");
        await Task.Run(() => Console.In.ReadToEnd());
        await app.StopAsync();
    }
}

/// <summary>A code-first echo service, as GenRay's own service is declared (the binder finds each method by its gRPC name).</summary>
[BindServiceMethod(typeof(EchoService), nameof(BindService))]
public class EchoService
{
    private static readonly Marshaller<byte[]> s_bytes = Marshallers.Create(static b => b, static b => b);

    internal static readonly Method<byte[], byte[]> EchoMethod = new(MethodType.DuplexStreaming, "bench.Echo", "Echo", s_bytes, s_bytes);
    internal static readonly Method<byte[], byte[]> SingleMethod = new(MethodType.Unary, "bench.Echo", "Single", s_bytes, s_bytes);
    internal static readonly Method<byte[], byte[]> DownloadMethod = new(MethodType.ServerStreaming, "bench.Echo", "Download", s_bytes, s_bytes);

    private static readonly byte[] s_chunk = new byte[1 << 20];

    /// <summary>Binds the methods. Called by gRPC.</summary>
    public static void BindService(ServiceBinderBase binder, EchoService? service)
    {
        binder.AddMethod(EchoMethod, service is null ? null : service.Echo);
        binder.AddMethod(SingleMethod, service is null ? null : service.Single);
        binder.AddMethod(DownloadMethod, service is null ? null : service.Download);
    }

    /// <summary>Echoes every message of the stream.</summary>
    public virtual async Task Echo(IAsyncStreamReader<byte[]> requests, IServerStreamWriter<byte[]> responses, ServerCallContext context)
    {
        while (await requests.MoveNext(context.CancellationToken))
        {
            await responses.WriteAsync(requests.Current, context.CancellationToken);
        }
    }

    /// <summary>Echoes one message.</summary>
    public virtual Task<byte[]> Single(byte[] request, ServerCallContext context) => Task.FromResult(request);

    /// <summary>Streams the number of bytes asked for, in 1 MiB messages.</summary>
    public virtual async Task Download(byte[] request, IServerStreamWriter<byte[]> responses, ServerCallContext context)
    {
        var left = BitConverter.ToInt32(request);
        while (left > 0)
        {
            var size = Math.Min(left, s_chunk.Length);
            await responses.WriteAsync(size == s_chunk.Length ? s_chunk : s_chunk[..size], context.CancellationToken);
            left -= size;
        }
    }
}
