using System.Buffers;
using MessagePack;
using MessagePack.Formatters;

namespace GenRay.Serialization;

/// <summary>
/// <c>byte[]</c> as MessagePack bin, like the built-in formatter, but read into an uninitialized array: for a
/// large value the built-in one zeroes the array before copying over every byte of it.
/// </summary>
internal sealed class BytesFormatter : IMessagePackFormatter<byte[]?>
{
    public void Serialize(ref MessagePackWriter writer, byte[]? value, MessagePackSerializerOptions options) => writer.Write(value);

    public byte[]? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.ReadBytes() is not { } bytes)
        {
            return null;
        }
        var result = GC.AllocateUninitializedArray<byte>(checked((int)bytes.Length));
        bytes.CopyTo(result);
        return result;
    }
}
