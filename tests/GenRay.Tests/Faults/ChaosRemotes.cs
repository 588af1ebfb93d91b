namespace GenRay.Tests.Faults;

/// <summary>
/// The chaos workload's remotes. Every task retries without limit: the test proves that no result is lost or
/// wrong however often workers die, not that retries run out. Each sleeps a little, so the workload lasts long
/// enough for the killer to strike many times.
/// </summary>
public static partial class ChaosRemotes
{
    public const int WorkMillis = 3;

    [Remote(MaxRetries = -1)]
    public static long Square(long x)
    {
        Thread.Sleep(WorkMillis);
        return x * x;
    }

    /// <summary>One link of a chain: each link depends on the previous one's result.</summary>
    [Remote(MaxRetries = -1)]
    public static long Step(long x)
    {
        Thread.Sleep(WorkMillis);
        return x + 1;
    }

    /// <summary>A nested task: submits <paramref name="count"/> squares and blocks in Get on them.</summary>
    [Remote(MaxRetries = -1)]
    public static long SumOfSquares(long from, int count)
    {
        var squares = new List<ObjectRef<long>>(count);
        for (var i = 0; i < count; i++)
        {
            squares.Add(Remote.Square(from + i));
        }
        return Ray.Get(squares).Sum();
    }
}

/// <summary>
/// A counter that logs every sequence number it is given to a file, which outlives the process: a restarted
/// counter starts from nothing (its constructor runs again with the same arguments), but the log shows which
/// calls ran, and how often.
/// </summary>
[Remote]
public partial class ChaosCounter
{
    private readonly string _log;
    private int _count;

    public ChaosCounter(string directory, string name)
    {
        _log = Path.Combine(directory, name);
        File.AppendAllText(_log + ".starts", Environment.ProcessId + Environment.NewLine);
    }

    public int Record(int sequence)
    {
        Thread.Sleep(1);
        File.AppendAllText(_log, sequence + Environment.NewLine);
        return ++_count;
    }
}
