using System.Buffers;
using MessagePack;

namespace GenRay.Cluster;

/// <summary>Encodes one message (a MessagePack array starting with its kind) into its own byte array.</summary>
internal static class Messages
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    public delegate void Writer(ref MessagePackWriter writer);

    public static byte[] Build(Writer write)
    {
        // One buffer per thread, reused; a message built while another is being built (a value inside a message)
        // takes a buffer of its own.
        var buffer = t_buffer ?? new ArrayBufferWriter<byte>(1024);
        t_buffer = null;
        buffer.ResetWrittenCount();
        try
        {
            var writer = new MessagePackWriter(buffer);
            write(ref writer);
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            if (buffer.Capacity <= 1 << 20)
            {
                t_buffer = buffer; // a large one is not kept per thread
            }
        }
    }

    /// <summary>
    /// A message over the size one gRPC message may carry would break the whole connection (and fail everything on
    /// it): refuse it before it is sent, so only the work it carries fails, with what to do instead.
    /// </summary>
    public static RayException? TooLarge(byte[] message) =>
        message.Length <= PeerConnection.MaxMessageBytes - 64
            ? null
            : new RayException(
                $"This call carries {message.Length / (1 << 20)} MiB by value, over the {PeerConnection.MaxMessageBytes >> 20} MiB a message between " +
                "processes may hold. Pass large values by reference: var r = Ray.Put(value); then give r to the call.");

    /// <summary>A message: <c>[kind, fields…]</c>.</summary>
    public static byte[] Build(MessageKind kind, int fields, Writer write) => Build((ref MessagePackWriter writer) =>
    {
        writer.WriteArrayHeader(fields + 1);
        writer.Write((byte)kind);
        write(ref writer);
    });

    /// <summary>Encodes a value with the wire formatters, in a wire context, into bytes.</summary>
    public static byte[] Value(Serialization.WireContext context, Writer write)
    {
        using var scope = Serialization.WireContext.Enter(context);
        return Build(write);
    }
}
