using System.Runtime.CompilerServices;
using MessagePack;
using MessagePack.Formatters;

namespace GenRay.Serialization;

/// <summary>An enum as its underlying integer; the generator names both types, so no reflection is needed.</summary>
public sealed class EnumFormatter<TEnum, TUnderlying> : IMessagePackFormatter<TEnum>
    where TEnum : struct, Enum
    where TUnderlying : unmanaged
{
    /// <inheritdoc />
    public void Serialize(ref MessagePackWriter writer, TEnum value, MessagePackSerializerOptions options) =>
        options.Resolver.GetFormatterWithVerify<TUnderlying>().Serialize(ref writer, Unsafe.As<TEnum, TUnderlying>(ref value), options);

    /// <inheritdoc />
    public TEnum Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        var underlying = options.Resolver.GetFormatterWithVerify<TUnderlying>().Deserialize(ref reader, options);
        return Unsafe.As<TUnderlying, TEnum>(ref underlying);
    }
}
