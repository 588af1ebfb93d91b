using MessagePack;

namespace GenRay.Cluster;

/// <summary>
/// How a result travels back: its value (small), the address of the process holding it (large, kept where it was
/// produced), or its error. <c>[0, bytes]</c>, <c>[1, holder]</c>, <c>[2, error]</c>; and <c>[3, [holder, error]]</c>
/// when the work failed because a value it needed could not be fetched from <c>holder</c> (which may have died: the
/// driver can rebuild the value and run the work again). A reader that does not look at the holder sees a failure.
/// </summary>
internal static class Outcome
{
    private const int Value = 0;
    private const int Held = 1;
    private const int Failed = 2;
    private const int Lost = 3;

    /// <summary>Writes the outcome of a completed object produced in this process.</summary>
    public static void Write(ref MessagePackWriter writer, ObjectRef result, ClusterNode node)
    {
        writer.WriteArrayHeader(2);
        if (result.IsFaulted)
        {
            if (WorkerNode.ValueLost.In(result.Error!) is { } lost)
            {
                writer.Write(Lost);
                writer.WriteArrayHeader(2);
                writer.Write(lost.Holder);
            }
            else
            {
                writer.Write(Failed);
            }
            ErrorCodec.Write(ref writer, result.Error!);
            return;
        }
        if (result.Remote is { } remote)
        {
            try
            {
                node.Server.AddLease(remote.Holder, result.Id); // the receiver's own, dropped when its ref goes
            }
            catch (RayException error)
            {
                writer.Write(Failed);
                ErrorCodec.Write(ref writer, error);
                return;
            }
            writer.Write(Held);
            writer.Write(remote.Holder);
            return;
        }
        Messages.Encoded encoded;
        try
        {
            encoded = Messages.Encode(node.WireContext, result);
        }
        catch (Exception error) when (error is MessagePackSerializationException or RayException)
        {
            writer.Write(Failed);
            ErrorCodec.Write(ref writer, new RayException($"The value of {result} cannot be sent to another process: {error.Message}", error));
            return;
        }
        using (encoded)
        {
            if (encoded.Bytes.Length <= ClusterWireContext.InlineLimit)
            {
                writer.Write(Value);
                writer.Write(encoded.Bytes); // copied from the thread's buffer straight into the message
                return;
            }
            node.Server.Store.Hold(result.Id, encoded.Bytes);
        }
        writer.Write(Held);
        writer.Write(node.Server.Address);
    }

    /// <summary>An ObjectReady message's fields: the object's id and its outcome, produced in <c>Node</c>.</summary>
    public static readonly Messages.Writer<(ObjectRef Value, ClusterNode Node)> Ready =
        static (ref MessagePackWriter w, in (ObjectRef Value, ClusterNode Node) ready) =>
        {
            IdCodec.Write(ref w, ready.Value.Id);
            Write(ref w, ready.Value, ready.Node);
        };

    /// <summary>An ObjectReady message saying object <paramref name="id"/> failed: it could not be made, or is unknown.</summary>
    public static byte[] FailureMessage(ObjectId id, Exception error) =>
        Messages.Build(MessageKind.ObjectReady, 2, (ref MessagePackWriter w) =>
        {
            IdCodec.Write(ref w, id);
            WriteFailure(ref w, error);
        });

    /// <summary>Writes the outcome of work that failed without producing anything (it could not run, it is unknown).</summary>
    public static void WriteFailure(ref MessagePackWriter writer, Exception error)
    {
        writer.WriteArrayHeader(2);
        writer.Write(Failed);
        ErrorCodec.Write(ref writer, error);
    }

    /// <summary>Reads an outcome; <see cref="Parsed.Apply"/> later sets it on an object (the bytes must outlive that).</summary>
    public static Parsed Read(ref MessagePackReader reader)
    {
        if (reader.ReadArrayHeader() != 2)
        {
            throw new MessagePackSerializationException("Malformed outcome.");
        }
        return reader.ReadInt32() switch
        {
            Value => new Parsed(reader.ReadBytes() ?? throw new MessagePackSerializationException("Malformed value."), null, null),
            Held => new Parsed(default, reader.ReadString() ?? throw new MessagePackSerializationException("Malformed holder."), null),
            Failed => new Parsed(default, null, ErrorCodec.Read(ref reader)),
            Lost => ReadLost(ref reader),
            _ => throw new MessagePackSerializationException("Unknown outcome."),
        };
    }

    private static Parsed ReadLost(ref MessagePackReader reader)
    {
        if (reader.ReadArrayHeader() != 2)
        {
            throw new MessagePackSerializationException("Malformed outcome.");
        }
        var holder = reader.ReadString() ?? throw new MessagePackSerializationException("Malformed holder.");
        return new Parsed(default, null, ErrorCodec.Read(ref reader)) { LostHolder = holder };
    }

    /// <summary>An outcome read off the wire (a struct: one is read per task and call answered).</summary>
    public readonly struct Parsed(System.Buffers.ReadOnlySequence<byte> value, string? holder, Exception? error)
    {
        public Exception? Error => error;

        /// <summary>The process holding the value, when it was held rather than sent.</summary>
        public string? Holder => holder;

        /// <summary>The value's bytes, when it was sent (valid only while the message is).</summary>
        public System.Buffers.ReadOnlySequence<byte> Value => value;

        /// <summary>When the work failed because a value it needed could not be fetched: the process that held it.</summary>
        public string? LostHolder { get; init; }

        public void Apply(ObjectRef target, ClusterNode node)
        {
            if (error is not null)
            {
                target.TrySetException(error);
            }
            else if (holder is not null)
            {
                if (!target.TrySetRemote(new RemoteValue(holder, target.Id, node.Leases)))
                {
                    node.Leases.Release(holder, target.Id); // already known here: the lease taken for this process goes back
                }
            }
            else
            {
                target.TrySetFromWire(value);
            }
        }
    }
}
