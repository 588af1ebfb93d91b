using System.Buffers.Binary;

namespace GenRay;

/// <summary>The identity of an actor, printed like Ray's <c>ActorID</c> (32 lowercase hex digits).</summary>
public readonly struct ActorId : IEquatable<ActorId>
{
    private static long s_next;

    private readonly ulong _owner;
    private readonly ulong _sequence;

    internal ActorId(ulong owner, ulong sequence)
    {
        _owner = owner;
        _sequence = sequence;
    }

    internal static ActorId Next(ulong owner) => new(owner, (ulong)Interlocked.Increment(ref s_next));

    internal ulong Owner => _owner;

    internal ulong Sequence => _sequence;

    /// <inheritdoc />
    public bool Equals(ActorId other) => _owner == other._owner && _sequence == other._sequence;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ActorId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_owner, _sequence);

    /// <summary>Compares two ids.</summary>
    public static bool operator ==(ActorId left, ActorId right) => left.Equals(right);

    /// <summary>Compares two ids.</summary>
    public static bool operator !=(ActorId left, ActorId right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[16];
        // Multiplying by an odd constant is a bijection: distinct actors never print alike.
        BinaryPrimitives.WriteUInt64BigEndian(bytes, (_sequence ^ _owner) * 0x9e3779b97f4a7c15UL);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], _owner);
        return Convert.ToHexStringLower(bytes);
    }
}
