namespace GenRay.Scheduling;

/// <summary>
/// Keeps the thread pool from starving when remote code blocks. Ray gives each task its own worker process,
/// so user code sleeps and blocks in <c>Ray.Get</c> as if blocking were free; here that code runs on pool
/// threads, and the pool adds threads only slowly once all are busy (about one a second). So GenRay tells
/// the pool how many threads to keep ready: enough for the work the node admits (its CPUs, or more when
/// remote code keeps every thread busy) plus one for every pool thread blocked in a GenRay wait. A thread
/// about to block thereby makes room for the work it waits for before it blocks, and the room is given back
/// when it wakes.
/// </summary>
internal static class ThreadBudget
{
    private const int Ceiling = 4096;

    private static readonly object s_lock = new();
    private static readonly int s_baseline = InitialMinimum();
    private static int s_demand; // threads the admitted work needs: CPUs, or the busy high-water mark
    private static int s_blocked; // pool threads blocked in a GenRay wait right now
    private static int s_busy; // threads running remote code right now (blocked ones included)
    private static int s_applied = s_baseline;

    public static int Busy => Volatile.Read(ref s_busy);

    /// <summary>Asks for at least <paramref name="threads"/> threads for admitted work (a runtime's CPUs).</summary>
    public static void Reserve(int threads)
    {
        lock (s_lock)
        {
            s_demand = Math.Max(s_demand, Math.Min(threads, Ceiling));
            Apply();
        }
    }

    /// <summary>Remote code starts running on this thread. When every thread the pool keeps ready is taken,
    /// the demand doubles, so the next admitted task does not wait for the pool to inject a thread.</summary>
    public static void Enter()
    {
        var running = Interlocked.Increment(ref s_busy) - Volatile.Read(ref s_blocked);
        if (running >= Volatile.Read(ref s_demand))
        {
            Reserve(running * 2);
        }
    }

    /// <summary>Remote code on this thread finished.</summary>
    public static void Exit() => Interlocked.Decrement(ref s_busy);

    /// <summary>A pool thread is about to block in a GenRay wait; returns whether <see cref="Unblock"/> must follow.</summary>
    public static bool Block()
    {
        if (!Thread.CurrentThread.IsThreadPoolThread)
        {
            return false;
        }
        lock (s_lock)
        {
            s_blocked++;
            Apply();
        }
        return true;
    }

    public static void Unblock()
    {
        lock (s_lock)
        {
            s_blocked--;
            Apply();
        }
    }

    private static void Apply()
    {
        var target = Math.Min(Math.Max(s_baseline, s_demand) + s_blocked, Ceiling);
        if (target == s_applied)
        {
            return;
        }
        ThreadPool.GetMinThreads(out _, out var io);
        if (ThreadPool.SetMinThreads(target, io))
        {
            s_applied = target;
        }
    }

    private static int InitialMinimum()
    {
        ThreadPool.GetMinThreads(out var workers, out _);
        return workers;
    }
}
