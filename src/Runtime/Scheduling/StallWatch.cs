using System.Diagnostics;

namespace GenRay.Scheduling;

/// <summary>Something that runs work on as few threads as it can and must add one when that work stalls.</summary>
internal interface IStallWatched
{
    /// <summary>
    /// Looks, about every <see cref="StallWatch.Tick"/>, for work stalled since the last look, and acts on it.
    /// Returns false to stop being watched (nothing left to watch); the item then watches itself again with
    /// <see cref="StallWatch.Watch"/> when it has.
    /// </summary>
    bool CheckStall(long now);
}

/// <summary>
/// One thread for the process that looks at the watched items every millisecond, and sleeps while none is watched.
/// Both users keep work on a thread already running rather than wake one, and need a way out when that work turns
/// out long or blocks where they cannot see it: a reader lent to a task (<see cref="Cluster.PeerConnection"/>) hands
/// its read loop on, a threaded actor running its calls on fewer threads than its MaxConcurrency adds one.
/// </summary>
internal static class StallWatch
{
    /// <summary>How often the watched items are looked at: how long stalled work waits at most, about.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    public static readonly long TickTicks = (long)(Tick.TotalSeconds * Stopwatch.Frequency);

    private static readonly object s_gate = new();
    private static readonly AutoResetEvent s_wake = new(false);
    private static readonly List<IStallWatched> s_added = [];
    private static Thread? s_thread;

    /// <summary>Watches <paramref name="item"/> until its <see cref="IStallWatched.CheckStall"/> returns false. The
    /// item keeps its own flag so that it is watched once; this is called only when it was not.</summary>
    public static void Watch(IStallWatched item)
    {
        lock (s_gate)
        {
            s_added.Add(item);
            s_thread ??= Start();
        }
        s_wake.Set();
    }

    /// <summary>
    /// Watches <paramref name="item"/> unless its flag (<paramref name="watched"/>, one per item) says it already is.
    /// Called once the item is busy, after a full fence that makes that visible (see <see cref="StaysWhenIdle"/>).
    /// </summary>
    public static void WatchOnce(IStallWatched item, ref int watched)
    {
        if (Volatile.Read(ref watched) == 0 && Interlocked.Exchange(ref watched, 1) == 0)
        {
            Watch(item);
        }
    }

    /// <summary>
    /// For a <see cref="IStallWatched.CheckStall"/> that found its item idle: clears the item's flag and returns
    /// whether it stays watched all the same. Work that makes the item busy meanwhile calls <see cref="WatchOnce"/>
    /// after it: either that sees the flag clear and watches the item again itself, or <paramref name="busy"/>,
    /// asked after the clear, sees the work, and the item stays (unless that call had already added it again).
    /// </summary>
    public static bool StaysWhenIdle<T>(ref int watched, T item, Func<T, bool> busy)
    {
        Interlocked.Exchange(ref watched, 0); // a full fence: ordered before the look below
        return busy(item) && Interlocked.Exchange(ref watched, 1) == 0;
    }

    private static Thread Start()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "GenRay stall watch" };
        thread.Start();
        return thread;
    }

    private static void Run()
    {
        var watched = new List<IStallWatched>();
        while (true)
        {
            lock (s_gate)
            {
                watched.AddRange(s_added);
                s_added.Clear();
            }
            if (watched.Count == 0)
            {
                s_wake.WaitOne(); // set by every Watch after its item was added
                continue;
            }
            Thread.Sleep(Tick);
            var now = Stopwatch.GetTimestamp();
            var kept = 0;
            for (var i = 0; i < watched.Count; i++)
            {
                if (watched[i].CheckStall(now))
                {
                    watched[kept++] = watched[i];
                }
            }
            watched.RemoveRange(kept, watched.Count - kept);
        }
    }
}
