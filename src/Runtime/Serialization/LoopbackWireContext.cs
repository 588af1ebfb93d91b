using MessagePack;

namespace GenRay.Serialization;

/// <summary>
/// Strict serialization in one process: every argument and result makes the round trip through the wire format,
/// so a type that could not cross a process fails here too; the refs and handles inside come back as the same
/// instances (written as an index into this context's table).
/// </summary>
internal sealed class LoopbackWireContext : WireContext
{
    private readonly List<object> _references = [];

    public override bool InlinesDependency(ObjectRef dependency) => true;

    public override void WriteRef(ref MessagePackWriter writer, ObjectRef value) => writer.Write(Add(value));

    public override ObjectRef<T> ReadRef<T>(ref MessagePackReader reader) =>
        Lookup(ref reader) as ObjectRef<T> ?? throw new MessagePackSerializationException($"The serialized reference is not an ObjectRef<{typeof(T).Name}>.");

    public override ObjectRef ReadVoidRef(ref MessagePackReader reader) =>
        Lookup(ref reader) as ObjectRef ?? throw new MessagePackSerializationException("The serialized reference is not an ObjectRef.");

    public override void WriteActor(ref MessagePackWriter writer, ActorCore actor) => writer.Write(Add(actor));

    public override ActorCore ReadActor(ref MessagePackReader reader, Type actorClass) =>
        Lookup(ref reader) as ActorCore ?? throw new MessagePackSerializationException("The serialized reference is not an actor handle.");

    private int Add(object reference)
    {
        _references.Add(reference);
        return _references.Count - 1;
    }

    private object Lookup(ref MessagePackReader reader)
    {
        var index = reader.ReadInt32();
        if ((uint)index >= (uint)_references.Count)
        {
            throw new MessagePackSerializationException($"Reference {index} was never written.");
        }
        return _references[index];
    }
}
