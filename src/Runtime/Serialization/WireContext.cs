using MessagePack;

namespace GenRay.Serialization;

/// <summary>
/// What serializing a value means for the GenRay references inside it. An <see cref="ObjectRef"/> or
/// <see cref="ActorHandle{T}"/> nested in an argument or result is not data: crossing to another process it
/// becomes a borrowed reference to the same object or actor; round-tripped in-process (strict serialization) it
/// must come back as the same instance. The context in force for the current thread decides.
/// </summary>
internal abstract class WireContext
{
    [ThreadStatic]
    private static WireContext? t_current;

    public static WireContext Current => t_current ?? throw new RayException(
        "ObjectRef and ActorHandle values are serialized only by GenRay, as part of a remote call's arguments or result.");

    /// <summary>Makes <paramref name="context"/> the current one until the returned scope is disposed.</summary>
    public static Scope Enter(WireContext context)
    {
        var previous = t_current;
        t_current = context;
        return new Scope(previous);
    }

    /// <summary>Whether a dependency whose value is available here is sent as that value (true) or as a reference.</summary>
    public abstract bool InlinesDependency(ObjectRef dependency);

    public abstract void WriteRef(ref MessagePackWriter writer, ObjectRef value);

    public abstract ObjectRef<T> ReadRef<T>(ref MessagePackReader reader);

    public abstract ObjectRef ReadVoidRef(ref MessagePackReader reader);

    public abstract void WriteActor(ref MessagePackWriter writer, ActorCore actor);

    public abstract ActorCore ReadActor(ref MessagePackReader reader, Type actorClass);

    public readonly struct Scope : IDisposable
    {
        private readonly WireContext? _previous;

        public Scope(WireContext? previous) => _previous = previous;

        public void Dispose() => t_current = _previous;
    }
}
