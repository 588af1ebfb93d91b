using System.Buffers.Binary;
using System.ComponentModel;
using Grpc.Core;

namespace GenRay.Cluster;

/// <summary>
/// One gRPC message of a control stream: a MessagePack array of messages. Going out it is a connection's pooled
/// buffer, which senders append their encoded messages to and which is copied once, into gRPC's own buffer (no
/// array per message, none per batch); coming in it is the received bytes. Public only because the gRPC binder
/// requires <see cref="NodeService.Connect"/>, which streams it, to be public.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class MessageBatch
{
    // Room for a local socket's frame length (four bytes, see Framed) and the largest array header (0xdd and four
    // bytes): written at the end, right before the messages.
    private const int HeaderRoom = 9;

    private byte[] _buffer;
    private int _start;
    private int _end;

    internal MessageBatch(byte[] received)
    {
        _buffer = received;
        _end = received.Length;
    }

    private MessageBatch(int capacity)
    {
        _buffer = new byte[capacity];
        _start = _end = HeaderRoom;
    }

    /// <summary>An empty batch to fill.</summary>
    internal static MessageBatch Outgoing() => new(4096);

    /// <summary>The messages appended.</summary>
    internal int Count { get; private set; }

    /// <summary>The bytes of the messages appended (the header not included).</summary>
    internal int Size => _end - HeaderRoom;

    internal int Capacity => _buffer.Length;

    /// <summary>The batch as sent (header first), or as received.</summary>
    internal ReadOnlyMemory<byte> Bytes => _buffer.AsMemory(_start, _end - _start);

    internal void Append(ReadOnlySpan<byte> message)
    {
        if (_buffer.Length - _end < message.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _end + message.Length));
        }
        message.CopyTo(_buffer.AsSpan(_end));
        _end += message.Length;
        Count++;
    }

    /// <summary>Writes the array header in front of the messages (the shortest form, as MessagePack writers do): the batch is ready to send.</summary>
    internal void Seal()
    {
        var count = Count;
        var header = count <= 15 ? 1 : count <= ushort.MaxValue ? 3 : 5;
        _start = HeaderRoom - header;
        var span = _buffer.AsSpan(_start, header);
        switch (header)
        {
            case 1:
                span[0] = (byte)(0x90 | count);
                break;
            case 3:
                span[0] = 0xdc;
                BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)count);
                break;
            default:
                span[0] = 0xdd;
                BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)count);
                break;
        }
    }

    /// <summary>The sealed batch as one frame of a <see cref="LocalSocket"/>: its length (four bytes, little-endian), then the batch.</summary>
    internal ReadOnlyMemory<byte> Framed()
    {
        var length = _end - _start;
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_start - sizeof(int), sizeof(int)), length);
        return _buffer.AsMemory(_start - sizeof(int), length + sizeof(int));
    }

    /// <summary>Empties the batch for reuse (after gRPC has copied it).</summary>
    internal void Reset()
    {
        _start = _end = HeaderRoom;
        Count = 0;
    }

    internal static readonly Marshaller<MessageBatch> Marshaller = new(
        static (batch, context) => NodeService.WritePayload(context, batch.Bytes.Span),
        static context => new MessageBatch(context.PayloadAsNewBuffer()));
}
