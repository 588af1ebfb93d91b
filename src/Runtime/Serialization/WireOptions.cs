using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace GenRay.Serialization;

/// <summary>
/// How GenRay encodes values: MessagePack, with formatters the generator emitted for the user's types (registered
/// by each assembly's module initializers into <see cref="FormatterCache{T}"/>), then MessagePack's built-in
/// formatters for primitives and BCL types. No dynamic or contractless resolver and no Reflection.Emit, so the
/// same path works under Native AOT. Bytes from other processes are read with MessagePack's untrusted-data
/// limits (bounded depth, collision-resistant hashing).
/// </summary>
internal static class WireOptions
{
    static WireOptions()
    {
        FormatterCache<Internal.Unit>.Instance = new UnitFormatter();
        FormatterCache<ObjectRef?>.Instance = new VoidObjectRefFormatter();
        FormatterCache<byte[]?>.Instance = new BytesFormatter();
    }

    public static readonly MessagePackSerializerOptions Instance = new MessagePackSerializerOptions(Resolver.Instance)
        .WithSecurity(MessagePackSecurity.UntrustedData.WithMaximumObjectGraphDepth(256));

    public static IMessagePackFormatter<T> Formatter<T>() =>
        Resolver.Instance.GetFormatter<T>() ?? throw Unsupported(typeof(T));

    internal static RayException Unsupported(Type type) =>
        new($"GenRay has no serializer for {type}. Types that cross a process are the arguments and results of [Remote] " +
            "methods and the types inside them; the generator emits their serializers. A type reached another way " +
            "(a runtime type that differs from the declared one, an object field) cannot be sent: declare the concrete type.");

    private sealed class Resolver : IFormatterResolver
    {
        public static readonly Resolver Instance = new();

        public IMessagePackFormatter<T>? GetFormatter<T>() => FormatterCache<T>.Instance ?? BuiltinResolver.Instance.GetFormatter<T>();
    }
}

/// <summary>The formatter registered for <typeparamref name="T"/>, if any: one static field per type, no lookups.</summary>
internal static class FormatterCache<T>
{
    public static IMessagePackFormatter<T>? Instance;
}
