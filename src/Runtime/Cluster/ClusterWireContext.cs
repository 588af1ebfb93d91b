using GenRay.Serialization;
using MessagePack;

namespace GenRay.Cluster;

/// <summary>
/// Refs and handles crossing between processes. A ref is written as its id and what the receiver needs to read
/// it: the value itself when it is small and here, the address of the process that holds it, its error, or
/// "pending: ask the driver". An actor handle is its id: the receiver finds the actor where it lives.
/// </summary>
internal sealed class ClusterWireContext : WireContext
{
    private const int Pending = 0;
    private const int Held = 1;
    private const int Inline = 2;
    private const int Failed = 3;

    /// <summary>Values up to this size travel with the ref (Ray inlines objects under 100 KiB).</summary>
    public const int InlineLimit = 100 * 1024;

    private readonly ClusterNode _node;

    public ClusterWireContext(ClusterNode node) => _node = node;

    // Dependencies travel as refs: WriteRef still puts a small value inline, and keeps a large one where it is.
    public override bool InlinesDependency(ObjectRef dependency) => false;

    public override void WriteRef(ref MessagePackWriter writer, ObjectRef value)
    {
        writer.WriteArrayHeader(3);
        IdCodec.Write(ref writer, value.Id);
        if (!value.IsCompleted)
        {
            _node.Exporting(value);
            writer.Write(Pending);
            writer.WriteNil();
            return;
        }
        if (value.IsFaulted)
        {
            writer.Write(Failed);
            ErrorCodec.Write(ref writer, value.Error!);
            return;
        }
        // Rebuilding a lost value, its arguments held by dead workers are rebuilt first (the load below fetches,
        // which rebuilds): recursive reconstruction, on the rebuilding thread only, which may block.
        if (value.Remote is { } remote && !(Lineage.IsRebuilding && _node.HolderLost(remote.Holder)))
        {
            _node.Server.AddLease(remote.Holder, value.Id); // the receiver's own, dropped when its ref goes
            writer.Write(Held);
            writer.Write(remote.Holder);
            return;
        }
        var bytes = Messages.ValueOf(this, value);
        if (bytes.Length <= InlineLimit)
        {
            writer.Write(Inline);
            writer.Write(bytes);
            return;
        }
        _node.Server.Store.Export(value);
        writer.Write(Held);
        writer.Write(_node.Server.Address);
    }

    public override ObjectRef<T> ReadRef<T>(ref MessagePackReader reader) =>
        Read(ref reader, id => new ObjectRef<T>(_node.Runtime, id)) as ObjectRef<T>
        ?? throw new MessagePackSerializationException($"A ref received is not an ObjectRef<{typeof(T).Name}>.");

    public override ObjectRef ReadVoidRef(ref MessagePackReader reader) =>
        Read(ref reader, id => new ObjectRef<Internal.Unit>(_node.Runtime, id));

    private ObjectRef Read(ref MessagePackReader reader, Func<ObjectId, ObjectRef> create)
    {
        if (reader.ReadArrayHeader() != 3)
        {
            throw new MessagePackSerializationException("Malformed ref.");
        }
        var id = IdCodec.ReadObjectId(ref reader);
        var state = reader.ReadInt32();
        var known = _node.Objects.TryGet(id, out var existing);
        var value = known ? existing : create(id);
        switch (state)
        {
            case Pending:
                reader.Skip();
                if (!known)
                {
                    _node.Objects.Add(value, pin: true);
                    _node.Subscribe(value);
                }
                break;
            case Held:
                var holder = reader.ReadString()!;
                // Every Held ref arrives with a lease taken for this process; one it does not need goes back.
                if (value.IsCompleted || !value.TrySetRemote(new RemoteValue(holder, id, _node.Leases)))
                {
                    _node.Leases.Release(holder, id);
                }
                break;
            case Inline:
                var bytes = reader.ReadBytes() ?? throw new MessagePackSerializationException("Malformed inline value.");
                if (!value.IsCompleted)
                {
                    value.TrySetFromWire(bytes);
                }
                break;
            case Failed:
                var error = ErrorCodec.Read(ref reader);
                value.TrySetException(error);
                break;
            default:
                throw new MessagePackSerializationException($"Unknown ref state {state}.");
        }
        if (!known)
        {
            _node.Objects.Add(value, pin: false);
        }
        return value;
    }

    public override void WriteActor(ref MessagePackWriter writer, ActorCore actor)
    {
        writer.WriteArrayHeader(2);
        IdCodec.Write(ref writer, actor.Id);
        writer.Write(actor.Type.Id);
    }

    public override ActorCore ReadActor(ref MessagePackReader reader, Type actorClass)
    {
        if (reader.ReadArrayHeader() != 2)
        {
            throw new MessagePackSerializationException("Malformed actor handle.");
        }
        var id = IdCodec.ReadActorId(ref reader);
        var typeId = reader.ReadString() ?? "";
        return _node.FindActor(id, typeId, actorClass);
    }
}

/// <summary>Errors on the wire: the remote's name, the original exception's type, message and stack trace.</summary>
internal static class ErrorCodec
{
    public static void Write(ref MessagePackWriter writer, Exception error)
    {
        writer.WriteArrayHeader(6);
        var chain = (error as RayTaskException)?.ExceptionTypeChain ?? [];
        writer.WriteArrayHeader(chain.Count);
        foreach (var type in chain)
        {
            writer.Write(type);
        }
        var (kind, function, typeName, message, stack) = error switch
        {
            RayTaskException task => (0, task.FunctionName, task.ExceptionTypeName, task.ExceptionMessage, task.RemoteStackTrace),
            ActorDiedException => (1, "", typeof(ActorDiedException).FullName, error.Message, error.StackTrace),
            TaskCancelledException => (2, "", typeof(TaskCancelledException).FullName, error.Message, error.StackTrace),
            _ => (3, "", error.GetType().FullName, error.Message, error.StackTrace),
        };
        writer.Write(kind);
        writer.Write(function);
        writer.Write(typeName);
        writer.Write(message);
        writer.Write(stack);
    }

    public static Exception Read(ref MessagePackReader reader)
    {
        if (reader.ReadArrayHeader() != 6)
        {
            throw new MessagePackSerializationException("Malformed error.");
        }
        var chain = new List<string>(reader.ReadArrayHeader());
        for (var i = chain.Capacity; i > 0; i--)
        {
            chain.Add(reader.ReadString() ?? "");
        }
        var kind = reader.ReadInt32();
        var function = reader.ReadString() ?? "";
        var type = reader.ReadString() ?? "";
        var message = reader.ReadString() ?? "";
        var stack = reader.ReadString();
        return kind switch
        {
            0 => new RayTaskException(function, type, message, stack, null) { ExceptionTypeChain = chain },
            1 => new ActorDiedException(message),
            2 => new TaskCancelledException(message),
            _ => new RayException(message),
        };
    }
}
