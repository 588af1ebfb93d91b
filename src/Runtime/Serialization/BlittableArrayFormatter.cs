using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MessagePack;
using MessagePack.Formatters;

namespace GenRay.Serialization;

/// <summary>
/// Arrays of primitive numbers as one block of raw little-endian bytes (a MessagePack extension), instead of one
/// MessagePack number per element: a 100 MB <c>double[]</c> is a memory copy, not 12.5 million encodings.
/// </summary>
internal static class BlittableArrays
{
    /// <summary>MessagePack extension type codes GenRay uses; application codes are 0–127.</summary>
    public const sbyte ArrayExtension = 100;

    public static void WriteBlock<T>(ref MessagePackWriter writer, int[] dimensions, ReadOnlySpan<T> elements)
        where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(elements);
        var header = (dimensions.Length + 1) * sizeof(int);
        writer.WriteExtensionFormatHeader(new ExtensionHeader(ArrayExtension, checked((uint)(header + bytes.Length))));
        // MessagePackWriter.WriteRaw predates `scoped`: it only accepts spans the compiler knows outlive the call.
        var head = new byte[header];
        MemoryMarshal.Write(head, Unsafe.SizeOf<T>());
        for (var i = 0; i < dimensions.Length; i++)
        {
            MemoryMarshal.Write(head.AsSpan((i + 1) * sizeof(int)), dimensions[i]);
        }
        writer.WriteRaw(head);
        // Large blocks go in slices, so the writer never has to find one contiguous buffer for all of it.
        const int Slice = 1 << 20;
        while (bytes.Length > 0)
        {
            var part = bytes[..Math.Min(Slice, bytes.Length)];
            writer.WriteRaw(part);
            bytes = bytes[part.Length..];
        }
    }

    /// <summary>Reads the header of a block; returns the raw element bytes and fills in the dimensions.</summary>
    public static ReadOnlySequence<byte> ReadBlock<T>(ref MessagePackReader reader, scoped Span<int> dimensions)
        where T : unmanaged
    {
        var header = reader.ReadExtensionFormatHeader();
        var headSize = (dimensions.Length + 1) * sizeof(int);
        if (header.TypeCode != ArrayExtension || header.Length < headSize)
        {
            throw new MessagePackSerializationException($"Expected a GenRay array block, found extension {header.TypeCode} of {header.Length} bytes.");
        }
        var raw = reader.ReadRaw(header.Length);
        Span<byte> head = stackalloc byte[headSize];
        raw.Slice(0, headSize).CopyTo(head);
        if (MemoryMarshal.Read<int>(head) != Unsafe.SizeOf<T>())
        {
            throw new MessagePackSerializationException($"The array block holds {MemoryMarshal.Read<int>(head)}-byte elements, not {typeof(T).Name}.");
        }
        long count = 1;
        for (var i = 0; i < dimensions.Length; i++)
        {
            dimensions[i] = MemoryMarshal.Read<int>(head[((i + 1) * sizeof(int))..]);
            if (dimensions[i] < 0)
            {
                throw new MessagePackSerializationException("An array block has a negative dimension.");
            }
            count *= dimensions[i];
        }
        var body = raw.Slice(headSize);
        if (body.Length != count * Unsafe.SizeOf<T>())
        {
            throw new MessagePackSerializationException($"An array block declares {count} elements but carries {body.Length} bytes.");
        }
        return body;
    }

    public static void CopyTo<T>(ReadOnlySequence<byte> body, Span<T> destination)
        where T : unmanaged => body.CopyTo(MemoryMarshal.AsBytes(destination));
}

/// <summary>A one-dimensional array of a primitive number type, as raw bytes.</summary>
public sealed class BlittableArrayFormatter<T> : IMessagePackFormatter<T[]?>
    where T : unmanaged
{
    /// <inheritdoc />
    public void Serialize(ref MessagePackWriter writer, T[]? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        BlittableArrays.WriteBlock<T>(ref writer, [value.Length], value);
    }

    /// <inheritdoc />
    public T[]? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }
        Span<int> dimensions = stackalloc int[1];
        var body = BlittableArrays.ReadBlock<T>(ref reader, dimensions);
        var result = GC.AllocateUninitializedArray<T>(dimensions[0]);
        BlittableArrays.CopyTo<T>(body, result);
        return result;
    }
}

/// <summary>A two-dimensional array of a primitive number type, as raw bytes (row-major, as .NET stores it).</summary>
public sealed class BlittableArray2Formatter<T> : IMessagePackFormatter<T[,]?>
    where T : unmanaged
{
    /// <inheritdoc />
    public void Serialize(ref MessagePackWriter writer, T[,]? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        var flat = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(value)), value.Length);
        BlittableArrays.WriteBlock(ref writer, [value.GetLength(0), value.GetLength(1)], flat);
    }

    /// <inheritdoc />
    public T[,]? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }
        Span<int> dimensions = stackalloc int[2];
        var body = BlittableArrays.ReadBlock<T>(ref reader, dimensions);
        var result = new T[dimensions[0], dimensions[1]];
        var flat = MemoryMarshal.CreateSpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(result)), result.Length);
        BlittableArrays.CopyTo<T>(body, flat);
        return result;
    }
}

/// <summary>A three-dimensional array of a primitive number type, as raw bytes.</summary>
public sealed class BlittableArray3Formatter<T> : IMessagePackFormatter<T[,,]?>
    where T : unmanaged
{
    /// <inheritdoc />
    public void Serialize(ref MessagePackWriter writer, T[,,]? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        var flat = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(value)), value.Length);
        BlittableArrays.WriteBlock(ref writer, [value.GetLength(0), value.GetLength(1), value.GetLength(2)], flat);
    }

    /// <inheritdoc />
    public T[,,]? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }
        Span<int> dimensions = stackalloc int[3];
        var body = BlittableArrays.ReadBlock<T>(ref reader, dimensions);
        var result = new T[dimensions[0], dimensions[1], dimensions[2]];
        var flat = MemoryMarshal.CreateSpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(result)), result.Length);
        BlittableArrays.CopyTo<T>(body, flat);
        return result;
    }
}
