using MessagePack;

namespace GenRay.Cluster;

/// <summary>
/// A call's <see cref="TaskOptions"/> on the wire, for tasks a worker's code submits: the driver schedules them,
/// so it needs their CPUs, resources, retries and name as the call gave them. Exception types travel by
/// assembly-qualified name: driver and workers run the same build.
/// </summary>
internal static class TaskOptionsCodec
{
    public static void Write(ref MessagePackWriter writer, TaskOptions? options)
    {
        if (options is null)
        {
            writer.WriteNil();
            return;
        }
        writer.WriteArrayHeader(7);
        WriteNullable(ref writer, options.NumCpus);
        WriteNullable(ref writer, options.NumGpus);
        WriteResources(ref writer, options.Resources);
        WriteNullable(ref writer, options.MaxRetries);
        if (options.RetryExceptions is { } retry)
        {
            writer.Write(retry);
        }
        else
        {
            writer.WriteNil();
        }
        if (options.RetryExceptionTypes is { } types)
        {
            writer.WriteArrayHeader(types.Count);
            foreach (var type in types)
            {
                writer.Write(type.AssemblyQualifiedName);
            }
        }
        else
        {
            writer.WriteNil();
        }
        writer.Write(options.Name);
    }

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2057",
        Justification = "Exception types named by a worker of the same build; one trimmed away cannot have been thrown, and is skipped.")]
    public static TaskOptions? Read(ref MessagePackReader reader)
    {
        if (reader.TryReadNil())
        {
            return null;
        }
        var count = reader.ReadArrayHeader();
        if (count != 7)
        {
            throw new MessagePackSerializationException($"Task options have 7 fields, not {count}.");
        }
        var options = new TaskOptions
        {
            NumCpus = reader.TryReadNil() ? null : reader.ReadDouble(),
            NumGpus = reader.TryReadNil() ? null : reader.ReadDouble(),
            Resources = ReadResources(ref reader),
        };
        options.MaxRetries = reader.TryReadNil() ? null : reader.ReadInt32();
        options.RetryExceptions = reader.TryReadNil() ? null : reader.ReadBoolean();
        if (!reader.TryReadNil())
        {
            var types = new List<Type>();
            for (var i = reader.ReadArrayHeader(); i > 0; i--)
            {
                if (reader.ReadString() is { } name && Type.GetType(name, throwOnError: false) is { } type)
                {
                    types.Add(type);
                }
            }
            options.RetryExceptionTypes = types;
        }
        options.Name = reader.ReadString();
        return options;
    }

    /// <summary>Custom resources by name, or nil (shared with <see cref="ActorOptionsCodec"/>).</summary>
    internal static void WriteResources(ref MessagePackWriter writer, IDictionary<string, double>? resources)
    {
        if (resources is null)
        {
            writer.WriteNil();
            return;
        }
        writer.WriteMapHeader(resources.Count);
        foreach (var (name, amount) in resources)
        {
            writer.Write(name);
            writer.Write(amount);
        }
    }

    internal static Dictionary<string, double>? ReadResources(ref MessagePackReader reader)
    {
        if (reader.TryReadNil())
        {
            return null;
        }
        var resources = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = reader.ReadMapHeader(); i > 0; i--)
        {
            resources[reader.ReadString() ?? ""] = reader.ReadDouble();
        }
        return resources;
    }

    internal static void WriteNullable(ref MessagePackWriter writer, int? value)
    {
        if (value is { } number)
        {
            writer.Write(number);
        }
        else
        {
            writer.WriteNil();
        }
    }

    internal static void WriteNullable(ref MessagePackWriter writer, double? value)
    {
        if (value is { } number)
        {
            writer.Write(number);
        }
        else
        {
            writer.WriteNil();
        }
    }
}
