using System.Diagnostics;

namespace GenRay.Cluster;

/// <summary>
/// Watches readers lent to work (<see cref="PeerConnection.TryLendReader"/>): one that has run the same work for
/// longer than <see cref="Limit"/> is handed off, so the connection's other messages (another lease's task, a
/// cancel, an actor call) wait at most about that long behind a task that turned out long. One thread for the
/// process, checking every millisecond while readers were lent in the last <see cref="Linger"/> and asleep otherwise.
/// </summary>
internal static class ReaderWatch
{
    /// <summary>How long lent work may hold a reader before the read loop moves to another thread.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromMilliseconds(1);

    private static readonly long LimitTicks = (long)(Limit.TotalSeconds * Stopwatch.Frequency);
    private static readonly long Linger = Stopwatch.Frequency / 10; // 100 ms without a loan: sleep until the next
    private static readonly object s_gate = new();
    private static readonly AutoResetEvent s_wake = new(false);
    private static PeerConnection[] s_watched = [];
    private static long s_lastLoan;
    private static int s_sleeping = 1; // 1 also before the thread exists: the first loan starts it
    private static Thread? s_thread;

    /// <summary>A loan of <paramref name="connection"/>'s reader starts now.</summary>
    public static void Watch(PeerConnection connection)
    {
        Interlocked.Exchange(ref s_lastLoan, Stopwatch.GetTimestamp()); // a full fence: ordered before the look at s_sleeping
        var watched = Volatile.Read(ref s_watched);
        if (Array.IndexOf(watched, connection) < 0)
        {
            Add(connection);
        }
        if (Volatile.Read(ref s_sleeping) != 0 && Interlocked.Exchange(ref s_sleeping, 0) != 0)
        {
            s_wake.Set();
        }
    }

    private static void Add(PeerConnection connection)
    {
        lock (s_gate)
        {
            if (Array.IndexOf(s_watched, connection) < 0)
            {
                // Closed connections go when the next one comes (a process has a handful).
                Volatile.Write(ref s_watched, [.. s_watched.Where(c => !c.IsClosed), connection]);
            }
            s_thread ??= Start();
        }
    }

    private static Thread Start()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "GenRay reader watch" };
        thread.Start();
        return thread;
    }

    private static void Run()
    {
        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            if (now - Volatile.Read(ref s_lastLoan) > Linger)
            {
                Volatile.Write(ref s_sleeping, 1);
                Interlocked.MemoryBarrier();
                // A loan that started after the look above either sees the flag and wakes us, or is seen here.
                if (Stopwatch.GetTimestamp() - Volatile.Read(ref s_lastLoan) > Linger)
                {
                    s_wake.WaitOne();
                }
                Volatile.Write(ref s_sleeping, 0);
                continue;
            }
            Thread.Sleep(1);
            now = Stopwatch.GetTimestamp();
            foreach (var connection in Volatile.Read(ref s_watched))
            {
                var (loan, since) = connection.Lent;
                if (loan != 0 && now - since > LimitTicks)
                {
                    connection.HandOff(loan);
                }
            }
        }
    }
}
