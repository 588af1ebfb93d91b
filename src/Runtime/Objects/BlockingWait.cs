using GenRay.Internal;
using GenRay.Scheduling;

namespace GenRay;

/// <summary>
/// Blocks a thread until objects are ready. A task that blocks gives its CPUs back while it waits (Ray does
/// the same), so tasks waiting on nested tasks can never deadlock the node; and since the blocked pool
/// thread is still taken, the thread budget is raised first so the work it waits for finds a thread.
/// </summary>
internal static class BlockingWait
{
    private const int SpinIterations = 24;

    public static bool WaitOne(ObjectRef target, TimeSpan? timeout)
    {
        if (Cluster.PeerConnection.TryReadFor(target))
        {
            return true; // read off the connection the call went out on
        }
        if (SpinUntilReady(target))
        {
            return true;
        }

        var waiter = new Waiter(1);
        using var blocked = new BlockedScope(target.Runtime);
        if (!target.TryAddListener(waiter))
        {
            return true;
        }
        if (!waiter.Wait(timeout, target.Runtime, target.ToString()))
        {
            target.RemoveListener(waiter);
            return false;
        }
        return true;
    }

    /// <summary>
    /// Spins briefly while <paramref name="target"/> is pending; true if it became ready. Most objects a caller waits
    /// on are a few microseconds from ready, and sleeping costs a wake-up (and, for a list, a listener on every ref).
    /// </summary>
    public static bool SpinUntilReady(ObjectRef target)
    {
        var spinner = new SpinWait();
        for (var i = 0; i < SpinIterations && !target.IsCompleted; i++)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }
        return target.IsCompleted;
    }

    /// <summary>Waits until <paramref name="needed"/> of <paramref name="pending"/> are ready or the timeout passes.</summary>
    public static void WaitAny(IReadOnlyList<ObjectRef> pending, int needed, TimeSpan? timeout, RayRuntime runtime)
    {
        var waiter = new Waiter(needed);
        using var blocked = new BlockedScope(runtime);
        var registered = new List<ObjectRef>(pending.Count);
        foreach (var target in pending)
        {
            if (target.TryAddListener(waiter))
            {
                registered.Add(target);
            }
            else
            {
                waiter.OnObjectReady(target);
            }
        }
        try
        {
            waiter.Wait(timeout, runtime, $"{needed} of {pending.Count} objects");
        }
        finally
        {
            foreach (var target in registered)
            {
                target.RemoveListener(waiter);
            }
        }
    }

    /// <summary>Gives a running task's resources back while its thread is blocked, and keeps the pool supplied.</summary>
    private readonly struct BlockedScope : IDisposable
    {
        private readonly TaskInvocation? _task;
        private readonly bool _poolThread;

        public BlockedScope(RayRuntime runtime)
        {
            _task = TaskInvocation.Current;
            Cluster.PeerConnection.ReaderBlocking(); // what this thread waits for may come through the reader it was lent
            LocalActor.RunnerBlocking(); // or be a call queued behind this one on its threaded actor
            _poolThread = ThreadBudget.Block();
            if (_task is null || !ReferenceEquals(_task.Runtime, runtime) || !_task.Block())
            {
                _task = null;
            }
        }

        public void Dispose()
        {
            _task?.Unblock();
            if (_poolThread)
            {
                ThreadBudget.Unblock();
            }
        }
    }

    private sealed class Waiter : IObjectListener
    {
        private readonly ManualResetEventSlim _signal = new(false, spinCount: 1);
        private int _remaining;

        public Waiter(int needed) => _remaining = needed;

        public void OnObjectReady(ObjectRef completed)
        {
            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                _signal.Set();
            }
        }

        public bool Wait(TimeSpan? timeout, RayRuntime runtime, string what)
        {
            try
            {
                return _signal.Wait(timeout ?? Timeout.InfiniteTimeSpan, runtime.ShutdownToken);
            }
            catch (OperationCanceledException)
            {
                throw new RayException($"GenRay was shut down while this thread waited for {what}.");
            }
        }
    }
}
