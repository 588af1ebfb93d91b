using System.Collections.Concurrent;
using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GenRay.Cluster;

/// <summary>
/// This process's gRPC endpoint (Kestrel, HTTP/2 on loopback) and its client side: the <see cref="ObjectStore"/>
/// others fetch from, the acceptor for control streams, and cached channels to other processes.
/// </summary>
internal sealed class NodeServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private WebApplication? _app;
    private Func<PeerConnection, IPeerHandler>? _acceptor;
    private Func<PeerConnection, string, IPeerHandler>? _peerAcceptor;
    private System.Net.Sockets.Socket? _localListener;

    /// <summary>HTTP/2 stream window, both directions.</summary>
    internal const int TransportWindow = 16 << 20;

    public ObjectStore Store { get; } = new();

    /// <summary><c>host:port</c> others reach this process at, once started.</summary>
    public string Address { get; private set; } = "";

    /// <summary>
    /// Starts serving on <paramref name="bind"/>:<paramref name="port"/> (0: any free port). Others reach it at
    /// <paramref name="advertise"/> (default: the bound address). A cluster daemon adds its control service with
    /// <paramref name="configure"/> and <paramref name="map"/>.
    /// </summary>
    public async Task StartAsync(IPAddress bind, int port, string? advertise = null, Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        // The user's appsettings.json and ASPNETCORE_ variables configure the user's web apps, not GenRay's endpoint.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, EmbeddedHostLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(bind, port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                Nodes.ClusterSecurity.Configure(listen);
            });
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            // Flow-control windows sized for bulk values on loopback: with the defaults (1 MiB, 768 KiB) a fetch waits
            // for WINDOW_UPDATEs every few hundred KiB.
            kestrel.Limits.Http2.InitialConnectionWindowSize = TransportWindow * 2;
            kestrel.Limits.Http2.InitialStreamWindowSize = TransportWindow;
        });
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = PeerConnection.MaxMessageBytes;
            grpc.MaxSendMessageSize = PeerConnection.MaxMessageBytes;
            grpc.EnableDetailedErrors = true;
        });
        builder.Services.AddSingleton(new NodeService(this));
        configure?.Invoke(builder);
        var app = builder.Build();
        Nodes.ClusterSecurity.RequireToken(app);
        app.MapGrpcService<NodeService>();
        map?.Invoke(app);
        await app.StartAsync().ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = $"{advertise ?? (bind.Equals(IPAddress.Any) ? "127.0.0.1" : bind.ToString())}:{new Uri(bound).Port}";
        Store.ShareOnHold = SharedMemory.SameMachine(Address);
        _app = app;
        if (LocalSockets && _acceptor is not null) // a worker (its acceptor is set before it starts); a driver only connects
        {
            _localListener = LocalSocket.Listen(Address);
            _ = Task.Run(AcceptLocalAsync);
        }
    }

    /// <summary>
    /// Whether this process's control streams to and from the other processes of its driver on this machine go over
    /// a <see cref="LocalSocket"/> (set before <see cref="StartAsync"/>): a driver and the workers it started, not a cluster.
    /// </summary>
    public bool LocalSockets
    {
        get;
        set => field = value && LocalSocket.Supported && Environment.GetEnvironmentVariable(LocalSocketsVariable) != "0";
    }

    /// <summary>Set to 0, control streams stay on gRPC on this machine too (to compare the two).</summary>
    internal const string LocalSocketsVariable = "GENRAY_LOCAL_SOCKETS";

    private async Task AcceptLocalAsync()
    {
        while (true)
        {
            System.Net.Sockets.Socket socket;
            try
            {
                socket = await _localListener!.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception error) when (error is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                return; // stopped
            }
            _ = Task.Run(() => ServeLocalAsync(socket));
        }
    }

    private async Task ServeLocalAsync(System.Net.Sockets.Socket socket)
    {
        string opener;
        try
        {
            opener = LocalSocket.ReadOpener(socket, TimeSpan.FromSeconds(10));
        }
        catch (Exception error) when (error is RayException or System.Net.Sockets.SocketException)
        {
            socket.Dispose();
            return;
        }
        await AcceptAsync(name => LocalSocket.Open(socket, name), opener.Length == 0 ? null : opener, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Accepts control streams: each gets a <see cref="PeerConnection"/> and the handler the acceptor returns.</summary>
    public void OnConnect(Func<PeerConnection, IPeerHandler> acceptor) => _acceptor = acceptor;

    /// <summary>
    /// Accepts control streams that another worker of the same driver opened (<see cref="ConnectAsPeer"/>): the
    /// acceptor gets the opener's address. Without one, such streams go to <see cref="OnConnect"/>'s acceptor.
    /// </summary>
    public void OnPeerConnect(Func<PeerConnection, string, IPeerHandler> acceptor) => _peerAcceptor = acceptor;

    /// <summary>The request header naming the address of a worker that opens a control stream to another.</summary>
    internal const string PeerHeader = "genray-peer";

    /// <summary>Whether accepted streams lend their reader's thread to the work they start (<see cref="PeerConnection.LendsReader"/>).</summary>
    public bool LendReaders { get; set; }

    internal Task AcceptAsync(IAsyncStreamReader<MessageBatch> requests, IServerStreamWriter<MessageBatch> responses, string? peer, CancellationToken ct)
    {
        if (_acceptor is null)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "This GenRay process does not accept control connections."));
        }
        return AcceptAsync(name => new PeerConnection(name, (batch, token) => responses.WriteAsync(batch, token), requests), peer, ct);
    }

    // Runs an accepted control stream (made by open, given its name) until it closes.
    private async Task AcceptAsync(Func<string, PeerConnection> open, string? peer, CancellationToken ct)
    {
        var fromPeer = peer is not null && _peerAcceptor is not null;
        var connection = open(fromPeer ? $"the worker at {peer}" : "the driver");
        connection.LendsReader = LendReaders;
        using var stop = ct.Register(() => connection.Close());
        await connection.RunAsync(fromPeer ? _peerAcceptor!(connection, peer!) : _acceptor!(connection)).ConfigureAwait(false);
    }

    public GrpcChannel Channel(string address) => _channels.GetOrAdd(address, static a => OpenChannel(a));

    /// <summary>A channel to another GenRay process, presenting this process's cluster token and trusting its CA.</summary>
    public static GrpcChannel OpenChannel(string address) => GrpcChannel.ForAddress($"{Nodes.ClusterSecurity.Scheme}://{address}", new GrpcChannelOptions
    {
        MaxReceiveMessageSize = PeerConnection.MaxMessageBytes,
        MaxSendMessageSize = PeerConnection.MaxMessageBytes,
        HttpHandler = Nodes.ClusterSecurity.Handler(new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(20),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
            InitialHttp2StreamWindowSize = TransportWindow, // the receiving side of a fetch (default 64 KiB)
        }),
    });

    /// <summary>Opens a control stream to a peer.</summary>
    public PeerConnection Connect(string address, string name, CancellationToken ct) => Connect(address, name, null, ct);

    /// <summary>Opens a control stream from this worker to another worker of its driver, saying who opens it.</summary>
    public PeerConnection ConnectAsPeer(string address, string name) =>
        Connect(address, name, new Metadata { { PeerHeader, Address } }, CancellationToken.None);

    private PeerConnection Connect(string address, string name, Metadata? headers, CancellationToken ct)
    {
        if (LocalSockets && LocalSocket.TryConnect(address, headers?.GetValue(PeerHeader)) is { } socket)
        {
            return LocalSocket.Open(socket, name);
        }
        var call = Channel(address).CreateCallInvoker().AsyncDuplexStreamingCall(NodeService.ConnectMethod, null, new CallOptions(headers, cancellationToken: ct));
        return new PeerConnection(name, (batch, token) => call.RequestStream.WriteAsync(batch, token), call.ResponseStream);
    }

    /// <summary>Fetches a value held by <paramref name="holder"/> (this process included): chunk by chunk, or through shared memory on this machine.</summary>
    public Fetched Fetch(string holder, ObjectId id)
    {
        if (holder == Address)
        {
            return Store.TryOpen(id, out var local) ? local : throw Lost(id, holder, "it is no longer held here");
        }
        try
        {
            return FetchRemote(holder, id).GetAwaiter().GetResult();
        }
        catch (RpcException error)
        {
            throw Lost(id, holder, error.Status.Detail);
        }
    }

    // Each chunk is copied from gRPC's buffer straight to its place in the value (no array per chunk, no joining):
    // the response marshaller is made per fetch, around the destination.
    private async Task<Fetched> FetchRemote(string holder, ObjectId id)
    {
        var sink = new ChunkSink();
        var method = new Method<byte[], ChunkSink>(MethodType.ServerStreaming, NodeService.ServiceName, NodeService.FetchName, NodeService.Bytes,
            new Marshaller<ChunkSink>(static (_, _) => throw new NotSupportedException(), sink.Read));
        var options = SharedMemory.SameMachine(holder) ? new CallOptions(new Metadata { { SharedMemory.Header, "1" } }) : default;
        using var call = Channel(holder).CreateCallInvoker().AsyncServerStreamingCall(method, null, options, IdCodec.Encode(id));
        var headers = await call.ResponseHeadersAsync.ConfigureAwait(false);
        if (headers.GetValue(NodeService.LengthHeader) is { } length && int.TryParse(length, System.Globalization.CultureInfo.InvariantCulture, out var total) && total >= 0)
        {
            if (headers.GetValue(SharedMemory.Header) is { } path)
            {
                try
                {
                    return Fetched.Map(path, total); // the holder keeps the file while this process holds its lease
                }
                catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidDataException)
                {
                    throw Lost(id, holder, $"its shared-memory copy could not be read ({error.Message})");
                }
            }
            sink.Start(total);
        }
        while (await call.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false))
        {
        }
        return Fetched.Of(sink.Finish(holder, id));
    }

    private sealed class ChunkSink
    {
        private byte[]? _bytes;
        private int _written;

        public void Start(int total) => _bytes = GC.AllocateUninitializedArray<byte>(total);

        public ChunkSink Read(DeserializationContext context)
        {
            var chunk = context.PayloadAsReadOnlySequence();
            if (_bytes is null || chunk.Length > _bytes.Length - _written)
            {
                throw new RpcException(new Status(StatusCode.DataLoss, "The holder sent more bytes than it announced."));
            }
            System.Buffers.BuffersExtensions.CopyTo(chunk, _bytes.AsSpan(_written));
            _written += (int)chunk.Length;
            return this;
        }

        public byte[] Finish(string holder, ObjectId id) =>
            _bytes is not null && _written == _bytes.Length
                ? _bytes
                : throw Lost(id, holder, $"the holder sent {_written} of {_bytes?.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "an unannounced number of"} bytes");
    }

    public void Release(string holder, IReadOnlyList<ObjectId> ids)
    {
        if (holder == Address)
        {
            foreach (var id in ids)
            {
                Store.Release(id);
            }
            return;
        }
        Channel(holder).CreateCallInvoker().BlockingUnaryCall(NodeService.ReleaseMethod, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(5)), IdCodec.Encode(ids));
    }

    /// <summary>
    /// Takes a lease on a value held by <paramref name="holder"/> on behalf of the process a ref to it is being sent to
    /// (which drops it when its ref is collected). Synchronous, so the holder counts the new lease before anyone can
    /// drop theirs: the sender's own lease keeps the value alive until this returns.
    /// </summary>
    public void AddLease(string holder, ObjectId id)
    {
        if (holder == Address)
        {
            if (!Store.AddLease(id))
            {
                throw Lost(id, holder, "it is no longer held here");
            }
            return;
        }
        try
        {
            Channel(holder).CreateCallInvoker().BlockingUnaryCall(NodeService.LeaseMethod, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(5)), IdCodec.Encode(id));
        }
        catch (RpcException error)
        {
            throw Lost(id, holder, error.Status.Detail);
        }
    }

    /// <summary>
    /// What <paramref name="holder"/> holds (<see cref="HeldObjects"/>); null when it does not answer within
    /// <paramref name="timeout"/> or fails, so a slow or dead process costs its asker no more than that.
    /// </summary>
    public async Task<List<(ObjectId Id, long Size)>?> HeldByAsync(string holder, TimeSpan timeout)
    {
        try
        {
            var reply = await Channel(holder).CreateCallInvoker()
                .AsyncUnaryCall(NodeService.HeldMethod, null, new CallOptions(deadline: DateTime.UtcNow + timeout), [])
                .ResponseAsync.ConfigureAwait(false);
            return HeldObjects.Read(reply);
        }
        catch (Exception error) when (error is RpcException or MessagePack.MessagePackSerializationException or ObjectDisposedException)
        {
            return null;
        }
    }

    private static RayException Lost(ObjectId id, string holder, string why) =>
        new($"Object {id} could not be fetched from {holder}: {why}. The process that held it is gone or released it.");

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
        _channels.Clear();
        _localListener?.Dispose();
        Store.Clear();
        if (_app is not null)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            await _app.StopAsync(stop.Token).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
