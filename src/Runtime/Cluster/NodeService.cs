using System.ComponentModel;
using Grpc.Core;
using MessagePack;

namespace GenRay.Cluster;

/// <summary>
/// The gRPC service every GenRay process hosts (code-first, no .proto): <c>Connect</c>, the long-lived duplex
/// stream a driver opens to each worker, carrying batches of messages both ways; <c>Fetch</c>, a value this process
/// holds, streamed in chunks of at most 1 MiB; <c>Lease</c> and <c>Release</c>, the leases other processes take and drop on held values;
/// <c>Held</c>, what this process holds (ids and sizes), which a cluster driver reports to the head.
/// Public only because gRPC's binder requires public virtual methods.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[BindServiceMethod(typeof(NodeService), nameof(BindService))]
public class NodeService
{
    internal const string ServiceName = "genray.Node";
    internal const int ChunkSize = 1 << 20;

    internal static readonly Marshaller<byte[]> Bytes = Marshallers.Create(static bytes => bytes, static bytes => bytes);

    internal static readonly Method<MessageBatch, MessageBatch> ConnectMethod =
        new(MethodType.DuplexStreaming, ServiceName, "Connect", MessageBatch.Marshaller, MessageBatch.Marshaller);
    internal const string FetchName = "Fetch";
    internal const string LengthHeader = "genray-length";

    // Chunks go out as slices of the held bytes, written straight into gRPC's buffer (no copy per chunk).
    private static readonly Marshaller<Chunk> Slices = new(
        static (chunk, context) => WritePayload(context, chunk.Bytes.Span),
        static _ => throw new NotSupportedException("Fetch chunks are read by the fetching side's own marshaller."));

    /// <summary>Copies bytes we hold straight into gRPC's buffer as one message's payload (no array of their own).</summary>
    internal static void WritePayload(SerializationContext context, ReadOnlySpan<byte> payload)
    {
        context.SetPayloadLength(payload.Length);
        var buffer = context.GetBufferWriter();
        payload.CopyTo(buffer.GetSpan(payload.Length));
        buffer.Advance(payload.Length);
        context.Complete();
    }

    internal static readonly Method<byte[], Chunk> FetchMethod = new(MethodType.ServerStreaming, ServiceName, FetchName, Bytes, Slices);
    internal static readonly Method<byte[], byte[]> ReleaseMethod = new(MethodType.Unary, ServiceName, "Release", Bytes, Bytes);
    internal static readonly Method<byte[], byte[]> LeaseMethod = new(MethodType.Unary, ServiceName, "Lease", Bytes, Bytes);
    internal static readonly Method<byte[], byte[]> HeldMethod = new(MethodType.Unary, ServiceName, "Held", Bytes, Bytes);

    private readonly NodeServer _node;

    internal NodeService(NodeServer node) => _node = node;

    /// <summary>Binds the methods. Called by gRPC.</summary>
    public static void BindService(ServiceBinderBase binder, NodeService? service)
    {
        binder.AddMethod(ConnectMethod, service is null ? null : service.Connect);
        binder.AddMethod(FetchMethod, service is null ? null : service.Fetch);
        binder.AddMethod(ReleaseMethod, service is null ? null : service.Release);
        binder.AddMethod(LeaseMethod, service is null ? null : service.Lease);
        binder.AddMethod(HeldMethod, service is null ? null : service.Held);
    }

    /// <summary>A peer's control stream.</summary>
    public virtual Task Connect(IAsyncStreamReader<MessageBatch> requests, IServerStreamWriter<MessageBatch> responses, ServerCallContext context) =>
        _node.AcceptAsync(requests, responses, context.RequestHeaders.GetValue(NodeServer.PeerHeader), context.CancellationToken);

    /// <summary>
    /// Streams a held value: its length in a response header (the fetcher allocates once), then its chunks; or, to a
    /// fetcher on this machine that asks for it, the path of a shared-memory copy (<see cref="SharedMemory"/>).
    /// </summary>
    public virtual async Task Fetch(byte[] request, IServerStreamWriter<Chunk> responses, ServerCallContext context)
    {
        var id = IdCodec.ReadObjectId(request);
        if (context.RequestHeaders.GetValue(SharedMemory.Header) is not null && _node.Store.TryGetShared(id, out var path, out var shared))
        {
            await context.WriteResponseHeadersAsync(new Metadata
            {
                { LengthHeader, shared.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                { SharedMemory.Header, path },
            }).ConfigureAwait(false);
            return;
        }
        if (!_node.Store.TryGet(id, out var bytes))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"This process does not hold object {id} (freed, or never here)"));
        }
        await context.WriteResponseHeadersAsync(new Metadata { { LengthHeader, bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) } })
            .ConfigureAwait(false);
        for (var offset = 0; offset < bytes.Length; offset += ChunkSize)
        {
            await responses.WriteAsync(new Chunk(bytes.Slice(offset, Math.Min(ChunkSize, bytes.Length - offset))), context.CancellationToken).ConfigureAwait(false);
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

    /// <summary>What this process holds: ids and sizes, at most <see cref="HeldObjects.Limit"/> of them. The request is empty.</summary>
    public virtual Task<byte[]> Held(byte[] request, ServerCallContext context) =>
        Task.FromResult(HeldObjects.Encode(_node.Store.Snapshot(HeldObjects.Limit)));
}

/// <summary>One chunk of a fetched value: a slice of the held bytes. Public only because the service method's signature names it.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class Chunk
{
    internal Chunk(ReadOnlyMemory<byte> bytes) => Bytes = bytes;

    internal ReadOnlyMemory<byte> Bytes { get; }
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
