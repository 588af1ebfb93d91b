namespace GenRay.Tests.Support;

/// <summary>Counts how many callers are inside a section at once, and the most there ever were.</summary>
public sealed class Peak
{
    private int _current;
    private int _max;

    public int Max => Volatile.Read(ref _max);

    public IDisposable Enter()
    {
        var now = Interlocked.Increment(ref _current);
        int seen;
        while (now > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, seen) != seen)
        {
        }
        return new Exit(this);
    }

    private sealed class Exit(Peak peak) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref peak._current);
    }
}
