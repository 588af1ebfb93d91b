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

    public ObjectStore Store { get; } = new();

    /// <summary><c>127.0.0.1:port</c>, once started.</summary>
    public string Address { get; private set; } = "";

    public async Task StartAsync(IPAddress bind, int port)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        // The user's appsettings.json and ASPNETCORE_ variables configure the user's web apps, not GenRay's endpoint.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(bind, port, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
        });
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = PeerConnection.MaxMessageBytes;
            grpc.MaxSendMessageSize = PeerConnection.MaxMessageBytes;
            grpc.EnableDetailedErrors = true;
        });
        builder.Services.AddSingleton(new NodeService(this));
        var app = builder.Build();
        app.MapGrpcService<NodeService>();
        await app.StartAsync().ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = $"{(bind.Equals(IPAddress.Any) ? "127.0.0.1" : bind)}:{new Uri(bound).Port}";
        _app = app;
    }

    /// <summary>Accepts control streams: each gets a <see cref="PeerConnection"/> and the handler the acceptor returns.</summary>
    public void OnConnect(Func<PeerConnection, IPeerHandler> acceptor) => _acceptor = acceptor;

    internal async Task AcceptAsync(IAsyncStreamReader<byte[]> requests, IServerStreamWriter<byte[]> responses, CancellationToken ct)
    {
        if (_acceptor is null)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "This GenRay process does not accept control connections."));
        }
        var connection = new PeerConnection("the driver", (bytes, token) => responses.WriteAsync(bytes, token), requests);
        using var stop = ct.Register(() => connection.Close());
        await connection.RunAsync(_acceptor(connection)).ConfigureAwait(false);
    }

    public GrpcChannel Channel(string address) => _channels.GetOrAdd(address, static a => GrpcChannel.ForAddress($"http://{a}", new GrpcChannelOptions
    {
        MaxReceiveMessageSize = PeerConnection.MaxMessageBytes,
        MaxSendMessageSize = PeerConnection.MaxMessageBytes,
        HttpHandler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(20),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
        },
    }));

    /// <summary>Opens a control stream to a peer.</summary>
    public PeerConnection Connect(string address, string name, CancellationToken ct)
    {
        var call = Channel(address).CreateCallInvoker().AsyncDuplexStreamingCall(NodeService.ConnectMethod, null, new CallOptions(cancellationToken: ct));
        return new PeerConnection(name, (bytes, token) => call.RequestStream.WriteAsync(bytes, token), call.ResponseStream);
    }

    /// <summary>Fetches a value held by <paramref name="holder"/> (this process included), chunk by chunk.</summary>
    public byte[] Fetch(string holder, ObjectId id)
    {
        if (holder == Address)
        {
            return Store.TryGet(id, out var local) ? local.ToArray() : throw Lost(id, holder, "it is no longer held here");
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

    private async Task<byte[]> FetchRemote(string holder, ObjectId id)
    {
        using var call = Channel(holder).CreateCallInvoker().AsyncServerStreamingCall(NodeService.FetchMethod, null, default, IdCodec.Encode(id));
        var chunks = new List<byte[]>();
        var total = 0L;
        while (await call.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false))
        {
            chunks.Add(call.ResponseStream.Current);
            total += call.ResponseStream.Current.Length;
        }
        if (chunks.Count == 1)
        {
            return chunks[0];
        }
        var bytes = GC.AllocateUninitializedArray<byte>(checked((int)total));
        var offset = 0;
        foreach (var chunk in chunks)
        {
            chunk.CopyTo(bytes, offset);
            offset += chunk.Length;
        }
        return bytes;
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

    private static RayException Lost(ObjectId id, string holder, string why) =>
        new($"Object {id} could not be fetched from {holder}: {why}. The process that held it is gone or released it.");

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
        _channels.Clear();
        Store.Clear();
        if (_app is not null)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            await _app.StopAsync(stop.Token).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
