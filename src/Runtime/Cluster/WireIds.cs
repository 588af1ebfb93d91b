using System.Text;
using System.Buffers;
using MessagePack;

namespace GenRay.Cluster;

/// <summary>
/// Method ids read off the wire as characters in a buffer on the reader's stack, to be looked up as they are: every
/// task and actor call carries one, and a string per message was garbage the moment it was looked up. A string is
/// made only for an id longer than the buffer.
/// </summary>
internal static class WireIds
{
    /// <summary>Ids up to this long need no string (generated ids are a type and member name, well under it).</summary>
    public const int StackChars = 256;

    /// <summary>
    /// The UTF-8 bytes of the id at the reader: <c>WireIds.Decode(WireIds.Utf8(ref reader), stackalloc char[WireIds.StackChars])</c>.
    /// A nil id reads as empty, as a string read did: the work it names fails as unknown, not the connection.
    /// </summary>
    public static ReadOnlySpan<byte> Utf8(ref MessagePackReader reader) =>
        reader.TryReadNil() ? default
        : reader.TryReadStringSpan(out var utf8) ? utf8
        : reader.ReadStringSequence()!.Value.ToArray(); // split across segments

    /// <summary>The id as characters, in <paramref name="buffer"/> when it fits.</summary>
    public static ReadOnlySpan<char> Decode(ReadOnlySpan<byte> utf8, Span<char> buffer) =>
        utf8.Length <= buffer.Length ? buffer[..Encoding.UTF8.GetChars(utf8, buffer)] : Encoding.UTF8.GetString(utf8);
}
