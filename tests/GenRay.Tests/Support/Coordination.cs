namespace GenRay.Tests.Support;

/// <summary>
/// A one-shot signal that remote code in any process can wait for and tests can open: an async actor, so waiting
/// calls interleave and Open gets through. (Static fields do not work once remotes run in worker processes.)
/// </summary>
[Remote(MaxConcurrency = 1000)]
public partial class Signal
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task Wait() => await _open.Task;

    public void Open() => _open.TrySetResult();

    public bool IsOpen() => _open.Task.IsCompleted;
}

/// <summary>A counter any process can bump: how often something ran.</summary>
[Remote]
public partial class Tally
{
    private int _count;

    public int Next() => ++_count;

    public int Count() => _count;
}

/// <summary>Helpers for coordinating tests with remote code.</summary>
public static class Coordination
{
    /// <summary>Monotonic time, the same clock in every process of this machine.</summary>
    public static long Now() => System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Reads a ref by polling, so a task waiting this way keeps its CPUs (a blocking Get gives them back).</summary>
    public static T Poll<T>(ObjectRef<T> value)
    {
        while (Ray.Wait([value], timeout: TimeSpan.Zero).Ready.Count == 0)
        {
            Thread.Sleep(2);
        }
        return Ray.Get(value);
    }

    /// <summary>Holds the calling task's CPUs until <paramref name="gate"/> opens.</summary>
    public static void HoldUntil(ActorHandle<Signal> gate)
    {
        while (!Poll(gate.IsOpen()))
        {
            Thread.Sleep(10);
        }
    }

    /// <summary>Waits (in the test) until a signal opens.</summary>
    public static void WaitFor(ActorHandle<Signal> signal) => Ray.Get(signal.Wait(), TimeSpan.FromSeconds(30));

    /// <summary>The most intervals that overlapped at any instant.</summary>
    public static int PeakOverlap(IEnumerable<(long Start, long End)> intervals)
    {
        var events = intervals.SelectMany(i => new[] { (i.Start, +1), (i.End, -1) })
            .OrderBy(e => e.Item1).ThenBy(e => e.Item2).ToList();
        int current = 0, peak = 0;
        foreach (var (_, delta) in events)
        {
            current += delta;
            peak = Math.Max(peak, current);
        }
        return peak;
    }
}
