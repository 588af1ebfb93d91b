using MessagePack;

namespace GenRay.Cluster;

/// <summary>
/// An actor creation's <see cref="ActorOptions"/> on the wire, for actors a worker's code creates: the driver
/// places and names them, so it needs their name, namespace, resources, restarts and concurrency as the call gave them.
/// </summary>
internal static class ActorOptionsCodec
{
    private const int Fields = 8;

    public static void Write(ref MessagePackWriter writer, ActorOptions? options)
    {
        if (options is null)
        {
            writer.WriteNil();
            return;
        }
        writer.WriteArrayHeader(Fields);
        writer.Write(options.Name);
        writer.Write(options.Namespace);
        TaskOptionsCodec.WriteNullable(ref writer, options.NumCpus);
        TaskOptionsCodec.WriteNullable(ref writer, options.NumGpus);
        TaskOptionsCodec.WriteResources(ref writer, options.Resources);
        TaskOptionsCodec.WriteNullable(ref writer, options.MaxRestarts);
        TaskOptionsCodec.WriteNullable(ref writer, options.MaxTaskRetries);
        TaskOptionsCodec.WriteNullable(ref writer, options.MaxConcurrency);
    }

    public static ActorOptions? Read(ref MessagePackReader reader)
    {
        if (reader.TryReadNil())
        {
            return null;
        }
        var count = reader.ReadArrayHeader();
        if (count != Fields)
        {
            throw new MessagePackSerializationException($"Actor options have {Fields} fields, not {count}.");
        }
        var options = new ActorOptions
        {
            Name = reader.ReadString(),
            Namespace = reader.ReadString(),
            NumCpus = reader.TryReadNil() ? null : reader.ReadDouble(),
            NumGpus = reader.TryReadNil() ? null : reader.ReadDouble(),
            Resources = TaskOptionsCodec.ReadResources(ref reader),
        };
        options.MaxRestarts = reader.TryReadNil() ? null : reader.ReadInt32();
        options.MaxTaskRetries = reader.TryReadNil() ? null : reader.ReadInt32();
        options.MaxConcurrency = reader.TryReadNil() ? null : reader.ReadInt32();
        return options;
    }
}
