using GenRay.Internal;
using MessagePack;
using MessagePack.Formatters;

namespace GenRay.Serialization;

/// <summary>The result of a remote without a value: nil on the wire.</summary>
internal sealed class UnitFormatter : IMessagePackFormatter<Unit>
{
    public void Serialize(ref MessagePackWriter writer, Unit value, MessagePackSerializerOptions options) => writer.WriteNil();

    public Unit Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        reader.Skip();
        return default;
    }
}
