namespace GenRay;

/// <summary>
/// Hands out object sequence numbers. Each thread takes a block of numbers at a time, so submitting from
/// many threads does not contend on one counter.
/// </summary>
internal static class ObjectSequence
{
    private const ulong BlockSize = 1024;

    private static ulong s_nextBlock;

    [ThreadStatic]
    private static ulong t_next;

    [ThreadStatic]
    private static ulong t_end;

    public static ulong Next()
    {
        var next = t_next;
        if (next == t_end)
        {
            next = Interlocked.Add(ref s_nextBlock, BlockSize) - BlockSize + 1; // sequence 0 is reserved for "nil"
            t_end = next + BlockSize;
        }
        t_next = next + 1;
        return next;
    }
}
