using System.Diagnostics;
using System.Net.Sockets;
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
/// loopback, Grpc.Net.Client, byte[] messages, no GenRay) and over a raw Unix socket read as GenRay's local sockets
/// are, to an echo server in another process. GenRay's figure beside these is the runtime's overhead over the wire
/// it uses (a Unix socket to the workers a driver starts, gRPC on a cluster).
/// </summary>
internal sealed partial class GrpcBaselines : IAsyncDisposable
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

    private readonly Socket _socket;
    private readonly byte[] _received = new byte[1 << 20];

    private GrpcBaselines(Process server, string address)
    {
        _server = server;
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Connect(SocketEndPoint(address));
        _socket.Blocking = false;
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
        var server = SelfProcess.Start(ServeFlag);
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

    // The echo server's Unix socket, named after its gRPC address.
    private static UnixDomainSocketEndPoint SocketEndPoint(string address) => new("\0genray-bench-echo/" + address);

    /// <summary>One small message over a Unix socket and its echo, both sides reading as GenRay's local sockets do (polling 50 µs, then poll()).</summary>
    public Func<ValueTask> SocketPingPong() => () =>
    {
        Echo(_socket, s_small, _received);
        return default;
    };

    /// <summary><paramref name="n"/> small messages in one write to a Unix socket, and their echo.</summary>
    public Func<ValueTask> SocketBatched(int n)
    {
        var batch = new byte[s_small.Length * n];
        return () =>
        {
            Echo(_socket, batch, _received);
            return default;
        };
    }

    private static void Echo(Socket socket, byte[] message, byte[] buffer)
    {
        Send(socket, message);
        for (var got = 0; got < message.Length;)
        {
            got += PollingReceive(socket, buffer.AsSpan(0, Math.Min(buffer.Length, message.Length - got)));
        }
    }

    private static void Send(Socket socket, ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0)
        {
            var sent = socket.Send(bytes, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                socket.Poll(-1, SelectMode.SelectWrite);
                continue;
            }
            if (error != SocketError.Success)
            {
                throw new SocketException((int)error);
            }
            bytes = bytes[sent..];
        }
    }

    // As GenRay's FrameReader: a non-blocking receive, retried with a yield for 50 µs, then a wait in poll(). 0 at the end of the stream.
    private static int PollingReceive(Socket socket, Span<byte> into)
    {
        var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 20_000;
        while (true)
        {
            var count = socket.Receive(into, SocketFlags.None, out var error);
            if (error == SocketError.Success)
            {
                return count;
            }
            if (error != SocketError.WouldBlock)
            {
                throw new SocketException((int)error);
            }
            if (Stopwatch.GetTimestamp() < until)
            {
                Thread.Yield();
            }
            else
            {
                socket.Poll(-1, SelectMode.SelectRead);
                until = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 20_000;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
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
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(SocketEndPoint($"127.0.0.1:{port}"));
        listener.Listen();
        new Thread(() => EchoSockets(listener)) { IsBackground = true }.Start();
        Console.WriteLine($"127.0.0.1:{port}");
        await Task.Run(() => Console.In.ReadToEnd());
        await app.StopAsync();
    }
}

internal sealed partial class GrpcBaselines
{
    // Echoes what each connection sends, on a thread of its own per connection.
    private static void EchoSockets(Socket listener)
    {
        while (true)
        {
            Socket connection;
            try
            {
                connection = listener.Accept();
            }
            catch (Exception error) when (error is SocketException or ObjectDisposedException)
            {
                return;
            }
            connection.Blocking = false;
            new Thread(() =>
            {
                var buffer = new byte[1 << 20];
                try
                {
                    int count;
                    while ((count = PollingReceive(connection, buffer)) > 0)
                    {
                        Send(connection, buffer.AsSpan(0, count));
                    }
                }
                catch (SocketException)
                {
                }
                connection.Dispose();
            }) { IsBackground = true }.Start();
        }
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
