namespace GenRay.Scheduling;

/// <summary>
/// Admits ready work in submission order once the node's resources allow it (Ray's local scheduler).
/// </summary>
/// <remarks>
/// <para>
/// The fast path takes no lock: while nothing is queued, a submit that finds the resources free acquires them
/// with one compare-and-swap and starts the work. Otherwise the work joins a FIFO queue, drained under a lock
/// whenever work arrives or resources come back. The two sides cannot miss each other: a release adds
/// resources and then reads the queue length; an enqueue raises the length (under the lock) and then tries
/// the resources; both are full fences, so at least one side sees the other's write. The queue is strictly
/// FIFO, so a large request at the head is never starved by small ones behind it.
/// </para>
/// <para>
/// A lock, not a lock-free queue: the thread that frees resources should be the one that admits the next
/// task, so it can run it itself (see <see cref="TaskWorkers"/>); with a lock it waits a few nanoseconds for
/// its turn, where a "someone else is draining" protocol would leave it idle and the admitted task waiting
/// for a thread to wake. Work is started outside the lock. (A lock-free queue that let submitters skip the lock
/// while the resources were busy was slower: in-process multi_client_tasks_async 1.82-2.00 M against 2.36-2.43 M
/// tasks/s, the submitters running further ahead of the workers.)
/// </para>
/// <para>
/// The lock is a spin lock that does not track its owner: what it guards is a few memory operations, and a monitor
/// looks up the thread's id in thread-local storage on every enter and exit (four clients submitting to two CPUs:
/// 2.48-2.53 M -> 2.60-2.81 M tasks/s). A holder descheduled meanwhile makes the others yield, then sleep.
/// </para>
/// </remarks>
internal sealed class ResourceScheduler
{
    private readonly NodeResources _resources;
    private readonly Queue<ISchedulable> _queue = new();
    private SpinLock _gate = new(enableThreadOwnerTracking: false); // mutable: never readonly
    private int _queued;
    private bool _stopped;

    public ResourceScheduler(NodeResources resources) => _resources = resources;

    public NodeResources Resources => _resources;

    public int QueuedCount => Volatile.Read(ref _queued);

    public void Submit(ISchedulable work)
    {
        if (Volatile.Read(ref _queued) == 0 && _resources.TryAcquire(work.Request))
        {
            work.Start();
            return;
        }
        ISchedulable? first;
        List<ISchedulable>? more;
        using (Hold())
        {
            if (_stopped)
            {
                first = null;
                more = null;
            }
            else
            {
                _queue.Enqueue(work);
                Interlocked.Increment(ref _queued);
                Admit(out first, out more);
                work = null!;
            }
        }
        if (work is not null)
        {
            work.Reject(new RayException("GenRay was shut down before this work could start."));
            return;
        }
        Start(first, more);
    }

    /// <summary>Starts the work now if nothing is queued and its resources are free; false (and nothing done) otherwise.</summary>
    public bool TryStartNow(ISchedulable work)
    {
        if (Volatile.Read(ref _queued) == 0 && !_stopped && _resources.TryAcquire(work.Request))
        {
            work.Start();
            return true;
        }
        return false;
    }

    /// <summary>
    /// Dequeues the work at the head of the queue when <paramref name="take"/> accepts it: resources held elsewhere
    /// (a worker's lease) pass straight to it instead of coming back here first. Only the head, so the queue stays FIFO.
    /// </summary>
    public ISchedulable? TakeHeadIf<TState>(Func<ISchedulable, TState, bool> take, TState state)
    {
        if (Volatile.Read(ref _queued) == 0)
        {
            return null;
        }
        using (Hold())
        {
            if (_stopped || _queue.Count == 0 || !take(_queue.Peek(), state))
            {
                return null;
            }
            Interlocked.Decrement(ref _queued);
            return _queue.Dequeue();
        }
    }

    /// <summary>Gives resources back (work finished, or a task blocked in Get) and admits what now fits.</summary>
    public void Release(ResourceRequest request)
    {
        if (request.IsEmpty)
        {
            return;
        }
        _resources.Release(request);
        if (Volatile.Read(ref _queued) == 0)
        {
            return;
        }
        ISchedulable? first;
        List<ISchedulable>? more;
        using (Hold())
        {
            Admit(out first, out more);
        }
        Start(first, more);
    }

    /// <summary>Takes resources back for a task resuming after a blocking wait, even if that overdraws them.</summary>
    public void ForceAcquire(ResourceRequest request)
    {
        if (!request.IsEmpty)
        {
            _resources.ForceAcquire(request);
        }
    }

    // Under the lock: dequeues what the free resources now allow, in order.
    private void Admit(out ISchedulable? first, out List<ISchedulable>? more)
    {
        first = null;
        more = null;
        while (!_stopped && _queue.Count > 0 && _resources.TryAcquire(_queue.Peek().Request))
        {
            var next = _queue.Dequeue();
            Interlocked.Decrement(ref _queued);
            if (first is null)
            {
                first = next;
            }
            else
            {
                (more ??= []).Add(next);
            }
        }
    }

    private static void Start(ISchedulable? first, List<ISchedulable>? more)
    {
        first?.Start();
        if (more is not null)
        {
            foreach (var work in more)
            {
                work.Start();
            }
        }
    }

    /// <summary>Rejects everything still queued; later submits are rejected too.</summary>
    public void Stop(Exception reason)
    {
        ISchedulable[] rejected;
        using (Hold())
        {
            _stopped = true;
            rejected = _queue.ToArray();
            _queue.Clear();
            Volatile.Write(ref _queued, 0);
        }
        foreach (var work in rejected)
        {
            work.Reject(reason);
        }
    }

    private Held Hold()
    {
        var taken = false;
        _gate.Enter(ref taken);
        return new Held(this);
    }

    private readonly ref struct Held(ResourceScheduler owner)
    {
        public void Dispose() => owner._gate.Exit(useMemoryBarrier: false);
    }
}
