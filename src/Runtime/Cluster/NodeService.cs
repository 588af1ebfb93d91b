using System.ComponentModel;
using Grpc.Core;
using MessagePack;

namespace GenRay.Cluster;

/// <summary>
/// The gRPC service every GenRay process hosts (code-first, no .proto): <c>Connect</c>, the long-lived duplex
/// stream a driver opens to each worker, carrying batches of messages both ways; <c>Fetch</c>, a value this process
/// holds, streamed in chunks of at most 1 MiB; <c>Lease</c> and <c>Release</c>, the leases other processes take and drop on held values.
/// Public only because gRPC's binder requires public virtual methods.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[BindServiceMethod(typeof(NodeService), nameof(BindService))]
public class NodeService
{
    internal const string ServiceName = "genray.Node";
    internal const int ChunkSize = 1 << 20;

    internal static readonly Marshaller<byte[]> Bytes = Marshallers.Create(static bytes => bytes, static bytes => bytes);

    internal static readonly Method<byte[], byte[]> ConnectMethod = new(MethodType.DuplexStreaming, ServiceName, "Connect", Bytes, Bytes);
    internal static readonly Method<byte[], byte[]> FetchMethod = new(MethodType.ServerStreaming, ServiceName, "Fetch", Bytes, Bytes);
    internal static readonly Method<byte[], byte[]> ReleaseMethod = new(MethodType.Unary, ServiceName, "Release", Bytes, Bytes);
    internal static readonly Method<byte[], byte[]> LeaseMethod = new(MethodType.Unary, ServiceName, "Lease", Bytes, Bytes);

    private readonly NodeServer _node;

    internal NodeService(NodeServer node) => _node = node;

    /// <summary>Binds the methods. Called by gRPC.</summary>
    public static void BindService(ServiceBinderBase binder, NodeService? service)
    {
        binder.AddMethod(ConnectMethod, service is null ? null : service.Connect);
        binder.AddMethod(FetchMethod, service is null ? null : service.Fetch);
        binder.AddMethod(ReleaseMethod, service is null ? null : service.Release);
        binder.AddMethod(LeaseMethod, service is null ? null : service.Lease);
    }

    /// <summary>A peer's control stream.</summary>
    public virtual Task Connect(IAsyncStreamReader<byte[]> requests, IServerStreamWriter<byte[]> responses, ServerCallContext context) =>
        _node.AcceptAsync(requests, responses, context.CancellationToken);

    /// <summary>Streams a held value.</summary>
    public virtual async Task Fetch(byte[] request, IServerStreamWriter<byte[]> responses, ServerCallContext context)
    {
        var id = IdCodec.ReadObjectId(request);
        if (!_node.Store.TryGet(id, out var bytes))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"This process does not hold object {id} (freed, or never here)"));
        }
        for (var offset = 0; offset < bytes.Length || offset == 0; offset += ChunkSize)
        {
            var length = Math.Min(ChunkSize, bytes.Length - offset);
            await responses.WriteAsync(bytes.Slice(offset, length).ToArray(), context.CancellationToken).ConfigureAwait(false);
            if (bytes.Length == 0)
            {
                break;
            }
        }
    }

    /// <summary>Adds a lease on a held value for a process a ref to it is forwarded to. Fails when the value is gone.</summary>
    public virtual Task<byte[]> Lease(byte[] request, ServerCallContext context)
    {
        var id = IdCodec.ReadObjectId(request);
        if (!_node.Store.AddLease(id))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"This process does not hold object {id} (freed, or never here)"));
        }
        return Task.FromResult(Array.Empty<byte>());
    }

    /// <summary>Drops leases.</summary>
    public virtual Task<byte[]> Release(byte[] request, ServerCallContext context)
    {
        foreach (var id in IdCodec.ReadObjectIds(request))
        {
            _node.Store.Release(id);
        }
        return Task.FromResult(Array.Empty<byte>());
    }
}

/// <summary>Object and actor ids on the wire: <c>[owner, sequence, kind]</c> and <c>[owner, sequence]</c>.</summary>
internal static class IdCodec
{
    public static void Write(ref MessagePackWriter writer, ObjectId id)
    {
        writer.WriteArrayHeader(3);
        writer.Write(id.Owner);
        writer.Write(id.Sequence);
        writer.Write((uint)id.Kind);
    }

    public static ObjectId ReadObjectId(ref MessagePackReader reader)
    {
        if (reader.ReadArrayHeader() != 3)
        {
            throw new MessagePackSerializationException("Malformed object id.");
        }
        return new ObjectId(reader.ReadUInt64(), reader.ReadUInt64(), (ObjectKind)reader.ReadUInt32());
    }

    public static void Write(ref MessagePackWriter writer, ActorId id)
    {
        writer.WriteArrayHeader(2);
        writer.Write(id.Owner);
        writer.Write(id.Sequence);
    }

    public static ActorId ReadActorId(ref MessagePackReader reader)
    {
        if (reader.ReadArrayHeader() != 2)
        {
            throw new MessagePackSerializationException("Malformed actor id.");
        }
        return new ActorId(reader.ReadUInt64(), reader.ReadUInt64());
    }

    public static byte[] Encode(ObjectId id) => Messages.Build((ref MessagePackWriter w) => Write(ref w, id));

    public static ObjectId ReadObjectId(byte[] bytes)
    {
        var reader = new MessagePackReader(bytes);
        return ReadObjectId(ref reader);
    }

    public static byte[] Encode(IReadOnlyList<ObjectId> ids) => Messages.Build((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(ids.Count);
        foreach (var id in ids)
        {
            Write(ref w, id);
        }
    });

    public static List<ObjectId> ReadObjectIds(byte[] bytes)
    {
        var reader = new MessagePackReader(bytes);
        var count = reader.ReadArrayHeader();
        var ids = new List<ObjectId>(count);
        for (var i = 0; i < count; i++)
        {
            ids.Add(ReadObjectId(ref reader));
        }
        return ids;
    }
}
