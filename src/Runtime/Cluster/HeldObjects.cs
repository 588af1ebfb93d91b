using MessagePack;

namespace GenRay.Cluster;

/// <summary>
/// What a process's <see cref="ObjectStore"/> holds, as its endpoint's <c>Held</c> method answers it (a cluster
/// driver asks each of its workers, for the head's object directory): <c>[[id, size], …]</c>, at most
/// <see cref="Limit"/> entries.
/// </summary>
internal static class HeldObjects
{
    /// <summary>The most one answer lists; the job's report keeps no more than this many objects in all.</summary>
    public const int Limit = 1000;

    public static byte[] Encode(IReadOnlyList<(ObjectId Id, long Size)> held) => Messages.Build((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(held.Count);
        foreach (var (id, size) in held)
        {
            w.WriteArrayHeader(2);
            IdCodec.Write(ref w, id);
            w.Write(size);
        }
    });

    public static List<(ObjectId Id, long Size)> Read(byte[] bytes)
    {
        var reader = new MessagePackReader(bytes);
        var count = reader.ReadArrayHeader();
        var held = new List<(ObjectId, long)>(count);
        for (var i = 0; i < count; i++)
        {
            if (reader.ReadArrayHeader() != 2)
            {
                throw new MessagePackSerializationException("Malformed held object.");
            }
            held.Add((IdCodec.ReadObjectId(ref reader), reader.ReadInt64()));
        }
        return held;
    }
}
