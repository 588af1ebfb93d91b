using System.Buffers;
using MessagePack;

namespace GenRay.Cluster;

/// <summary>Encodes one message (a MessagePack array starting with its kind), into a thread's buffer for sending or into its own byte array.</summary>
internal static class Messages
{
    // Two buffers per thread, reused: a message's result value is encoded while the message is being built (one
    // level of nesting on every task and call answered), and a buffer made per value was the worker's largest
    // allocation per task. Deeper nesting takes a buffer of its own.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_inner;

    public delegate void Writer(ref MessagePackWriter writer);

    /// <summary>Writes a message's fields from <paramref name="state"/>: hot paths pass a static lambda and a struct, allocating no closure.</summary>
    public delegate void Writer<TState>(ref MessagePackWriter writer, in TState state);

    /// <summary>A plain writer run as a state writer: the state is the writer (for the overloads taking a closure).</summary>
    public static readonly Writer<Writer> Plain = static (ref MessagePackWriter writer, in Writer write) => write(ref writer);

    public static byte[] Build(Writer write) => ToArray(null, Plain, write, kind: 0, fields: -1);

    // Every encoding goes through here: into one of this thread's buffers, in a wire context when one is given,
    // lent to the caller until disposed. A writer that throws gives the buffer back. With fields >= 0, the
    // message's header ([kind, ...]) goes first: no wrapping delegate per message.
    private static Encoded Lend<TState>(Serialization.WireContext? context, Writer<TState> write, scoped in TState state, MessageKind kind, int fields)
    {
        var buffer = Rent();
        try
        {
            if (context is null)
            {
                Encode(buffer, write, state, kind, fields);
            }
            else
            {
                using var scope = Serialization.WireContext.Enter(context);
                Encode(buffer, write, state, kind, fields);
            }
            return new Encoded(buffer);
        }
        catch
        {
            Return(buffer);
            throw;
        }
    }

    private static byte[] ToArray<TState>(Serialization.WireContext? context, Writer<TState> write, in TState state, MessageKind kind, int fields)
    {
        using var encoded = Lend(context, write, state, kind, fields);
        return encoded.Bytes.ToArray();
    }

    private static void Encode<TState>(ArrayBufferWriter<byte> buffer, Writer<TState> write, in TState state, MessageKind kind, int fields)
    {
        var writer = new MessagePackWriter(buffer);
        if (fields >= 0)
        {
            writer.WriteArrayHeader(fields + 1);
            writer.Write((byte)kind);
        }
        write(ref writer, state);
        writer.Flush();
    }

    private static ArrayBufferWriter<byte> Rent()
    {
        ArrayBufferWriter<byte> buffer;
        if (t_buffer is { } outer)
        {
            buffer = outer;
            t_buffer = null;
        }
        else if (t_inner is { } inner)
        {
            buffer = inner;
            t_inner = null;
        }
        else
        {
            buffer = new ArrayBufferWriter<byte>(1024);
        }
        buffer.ResetWrittenCount();
        return buffer;
    }

    private static void Return(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity > 1 << 20)
        {
            return; // a large one is not kept per thread
        }
        if (t_buffer is null)
        {
            t_buffer = buffer;
        }
        else
        {
            t_inner ??= buffer;
        }
    }

    /// <summary>
    /// A message over the size one gRPC message may carry would break the whole connection (and fail everything on
    /// it): refuse it before it is sent, so only the work it carries fails, with what to do instead.
    /// </summary>
    private static RayException? TooLarge(int length) =>
        length <= PeerConnection.MaxMessageBytes - 64
            ? null
            : new RayException(
                $"This call carries {length / (1 << 20)} MiB by value, over the {PeerConnection.MaxMessageBytes >> 20} MiB a message between " +
                "processes may hold. Pass large values by reference: var r = Ray.Put(value); then give r to the call.");

    /// <summary>A message: <c>[kind, fields…]</c>.</summary>
    public static byte[] Build(MessageKind kind, int fields, Writer write) => ToArray(null, Plain, write, kind, fields);

    /// <summary>
    /// Encodes a message for sending, in a wire context. A value that cannot be encoded, or a message too large for
    /// one frame, fails only the work it carries: <paramref name="onFailure"/> hears why (naming <paramref name="peer"/>)
    /// and the result has <see cref="Encoded.Failed"/>. Without <paramref name="onFailure"/> the error is thrown.
    /// </summary>
    public static Encoded ForSending(Serialization.WireContext context, MessageKind kind, int fields, Writer write, Action<Exception>? onFailure, string peer) =>
        ForSending<Writer, Action<Exception>?>(context, kind, fields, Plain, write, onFailure is null ? null : Fail, onFailure, peer);

    /// <summary>A plain failure handler run as a state one: the state is the handler.</summary>
    public static readonly Action<Exception, Action<Exception>?> Fail = static (error, onFailure) => onFailure!(error);

    /// <summary>
    /// As above, with the fields written from <paramref name="state"/>, which <paramref name="onFailure"/> also gets.
    /// The message is encoded into one of this thread's buffers (the connection copies it into its batch): send it,
    /// then dispose it.
    /// </summary>
    public static Encoded ForSending<TState, TFailure>(
        Serialization.WireContext context, MessageKind kind, int fields, Writer<TState> write, scoped in TState state,
        Action<Exception, TFailure>? onFailure, TFailure failureState, string peer)
    {
        Encoded message;
        try
        {
            message = Lend(context, write, state, kind, fields);
        }
        catch (Exception error) when (error is MessagePackSerializationException or RayException && onFailure is not null)
        {
            onFailure!(new RayException($"Sending to {peer} failed: {error.Message}", error), failureState);
            return default;
        }
        if (TooLarge(message.Bytes.Length) is { } tooLarge)
        {
            message.Dispose();
            if (onFailure is null)
            {
                throw tooLarge;
            }
            onFailure(tooLarge, failureState);
            return default;
        }
        return message;
    }

    /// <summary>Encodes a value with the wire formatters, in a wire context, into bytes.</summary>
    public static byte[] Value(Serialization.WireContext context, Writer write) => ToArray(context, Plain, write, kind: 0, fields: -1);

    /// <summary>The value of a completed object, encoded as above (no closure per value: results are encoded by the thousand).</summary>
    public static byte[] ValueOf(Serialization.WireContext context, ObjectRef value) => ToArray(context, s_objectValue, value, kind: 0, fields: -1);

    /// <summary>
    /// The value of a completed object, encoded as above into one of this thread's buffers, not an array of its own:
    /// an answer copies it into its message (the bytes are valid until the returned value is disposed).
    /// </summary>
    public static Encoded Encode(Serialization.WireContext context, ObjectRef value) => Lend(context, s_objectValue, value, kind: 0, fields: -1);

    /// <summary>Bytes encoded into a thread's buffer, or none (<see cref="Failed"/>); dispose to give the buffer back (on the same thread).</summary>
    public readonly ref struct Encoded(ArrayBufferWriter<byte>? buffer)
    {
        /// <summary>Nothing was encoded: the failure handler was told why.</summary>
        public bool Failed => buffer is null;

        public ReadOnlySpan<byte> Bytes => buffer!.WrittenSpan;

        public void Dispose()
        {
            if (buffer is not null)
            {
                Return(buffer);
            }
        }
    }

    private static readonly Writer<ObjectRef> s_objectValue = static (ref MessagePackWriter writer, in ObjectRef value) => value.WriteValue(ref writer);
}
