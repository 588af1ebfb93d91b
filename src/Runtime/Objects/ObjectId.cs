using System.Buffers.Binary;
using System.Globalization;

namespace GenRay;

/// <summary>
/// The identity of an object in the cluster: the process that owns it and a sequence number within it.
/// Prints like Ray's <c>ObjectID</c>, as 40 lowercase hex digits, stable for the object's lifetime.
/// </summary>
public readonly struct ObjectId : IEquatable<ObjectId>
{
    internal ObjectId(ulong owner, ulong sequence, ObjectKind kind)
    {
        Owner = owner;
        Sequence = sequence;
        Kind = kind;
    }

    internal ulong Owner { get; }

    internal ulong Sequence { get; }

    internal ObjectKind Kind { get; }

    /// <summary>True for the default value, which names no object.</summary>
    public bool IsNil => Owner == 0 && Sequence == 0;

    /// <inheritdoc />
    public bool Equals(ObjectId other) => Owner == other.Owner && Sequence == other.Sequence && Kind == other.Kind;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ObjectId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Owner, Sequence);

    /// <summary>Compares two ids.</summary>
    public static bool operator ==(ObjectId left, ObjectId right) => left.Equals(right);

    /// <summary>Compares two ids.</summary>
    public static bool operator !=(ObjectId left, ObjectId right) => !left.Equals(right);

    /// <summary>
    /// 40 lowercase hex digits: 8 bytes that look random (a bijective mix of the sequence number, so ids
    /// of consecutive tasks do not share a prefix), 8 bytes of the owner, and a 4-byte little-endian index
    /// (1 for a task's return value, 0 for an object made by <see cref="Ray.Put{T}(T)"/>), as Ray prints them.
    /// </summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[20];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, Mix(Sequence ^ Owner));
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], Owner);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[16..], (uint)Kind);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>Reads an id printed by <see cref="ToString"/>.</summary>
    /// <exception cref="FormatException">The text is not 40 hex digits printed by GenRay.</exception>
    public static ObjectId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length != 40 || !ulong.TryParse(text.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var mixed)
            || !ulong.TryParse(text.AsSpan(16, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var owner)
            || !uint.TryParse(text.AsSpan(32, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var kindBigEndian))
        {
            throw new FormatException($"'{text}' is not a GenRay object id: expected 40 hex digits as printed by ObjectRef.Id.");
        }
        var kind = (ObjectKind)BinaryPrimitives.ReverseEndianness(kindBigEndian);
        return new ObjectId(owner, Unmix(mixed) ^ owner, kind);
    }

    // splitmix64's finaliser: a bijection on 64-bit values, so the sequence can be recovered by Parse.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
        return z ^ (z >> 31);
    }

    private static ulong Unmix(ulong z)
    {
        z = UnshiftXor(z, 31);
        z *= 0x319642b2d24d8ec3UL; // inverse of 0x94d049bb133111eb modulo 2^64
        z = UnshiftXor(z, 27);
        z *= 0x96de1b173f119089UL; // inverse of 0xbf58476d1ce4e5b9 modulo 2^64
        return UnshiftXor(z, 30);
    }

    private static ulong UnshiftXor(ulong value, int shift)
    {
        var result = value;
        for (var i = shift; i < 64; i += shift)
        {
            result = value ^ (result >> shift);
        }
        return result;
    }
}

/// <summary>What made an object: the index Ray prints in the last four bytes of an id.</summary>
internal enum ObjectKind : uint
{
    Put = 0,
    TaskReturn = 1,
}
