using System.Buffers;
using GenRay.Internal;
using MessagePack;

namespace GenRay.Serialization;

/// <summary>
/// <see cref="RayOptions.StrictSerialization"/>: arguments and results make the round trip through the wire format
/// even in-process, so what would fail between processes fails in local tests too, and a remote gets a copy, as it
/// would in another process, not the caller's instance.
/// </summary>
internal static class StrictRoundTrip
{
    public static T Value<T>(T value, string what)
    {
        var context = new LoopbackWireContext();
        using var scope = WireContext.Enter(context);
        try
        {
            var buffer = new ArrayBufferWriter<byte>();
            var writer = new MessagePackWriter(buffer);
            var formatter = WireOptions.Formatter<T>();
            formatter.Serialize(ref writer, value, WireOptions.Instance);
            writer.Flush();
            var reader = new MessagePackReader(buffer.WrittenMemory);
            return formatter.Deserialize(ref reader, WireOptions.Instance);
        }
        catch (Exception error) when (error is MessagePackSerializationException or RayException)
        {
            throw Failure(what, error);
        }
    }

    public static TaskInvocation Task(TaskInvocation original) =>
        Call(original, original.Method.Name, (ref MessagePackReader reader) =>
            RemoteRegistry.TryGetTask(original.Method.Id, out var read) ? read(ref reader) : throw NotRegistered(original.Method.Name));

    public static ActorCall ActorCall(ActorCall original) =>
        Call(original, original.Method.Name, (ref MessagePackReader reader) =>
            RemoteRegistry.TryGetActorMethod(original.Method.Id, out var read) ? read(ref reader, original.Actor) : throw NotRegistered(original.Method.Name));

    public static ActorCreation Creation(ActorCreation original) =>
        Call(original, $"{original.Type.Name} constructor", (ref MessagePackReader reader) =>
            RemoteRegistry.TryGetConstructor(RemoteRegistry.ConstructorKey(original.Type.Id, original.ConstructorId), out var read)
                ? read(ref reader)
                : throw NotRegistered($"{original.Type.Name} constructor"));

    private delegate T Reader<T>(ref MessagePackReader reader);

    private static T Call<T>(Invocation original, string what, Reader<T> read)
    {
        var context = new LoopbackWireContext();
        using var scope = WireContext.Enter(context);
        try
        {
            var buffer = new ArrayBufferWriter<byte>();
            var writer = new MessagePackWriter(buffer);
            original.WriteArgumentsTo(ref writer);
            writer.Flush();
            var reader = new MessagePackReader(buffer.WrittenMemory);
            return read(ref reader);
        }
        catch (Exception error) when (error is MessagePackSerializationException or RayException)
        {
            throw Failure($"the arguments of {what}", error);
        }
    }

    private static RayException Failure(string what, Exception error) =>
        new($"Strict serialization: {what} cannot cross a process: {error.Message}", error);

    private static RayException NotRegistered(string what) =>
        new($"{what} has no registered reader: its assembly's generated module initializer did not run.");
}
