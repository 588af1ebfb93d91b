namespace GenRay.Scheduling;

/// <summary>
/// Admits ready work in submission order once the node's resources allow it (Ray's local scheduler).
/// </summary>
/// <remarks>
/// The fast path takes no lock: while nothing is queued, a submit that finds the resources free acquires them
/// with one CAS and starts the work. Otherwise the work joins a FIFO queue, drained under a lock whenever
/// resources come back. The two sides cannot miss each other: a release adds resources and then reads the
/// queue length; an enqueue raises the length (under the lock) and then tries the resources; both steps are
/// full fences, so at least one side sees the other's write. The queue is strictly FIFO, so a large request
/// at the head is never starved by small ones behind it.
/// </remarks>
internal sealed class ResourceScheduler
{
    private readonly NodeResources _resources;
    private readonly Queue<ISchedulable> _queue = new();
    private readonly object _lock = new();
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
        lock (_lock)
        {
            if (_stopped)
            {
                work.Reject(new RayException("GenRay was shut down before this work could start."));
                return;
            }
            _queue.Enqueue(work);
            Interlocked.Increment(ref _queued);
        }
        Drain();
    }

    /// <summary>Gives resources back (work finished, or a task blocked in Get) and admits what now fits.</summary>
    public void Release(ResourceRequest request)
    {
        if (request.IsEmpty)
        {
            return;
        }
        _resources.Release(request);
        if (Volatile.Read(ref _queued) != 0)
        {
            Drain();
        }
    }

    /// <summary>Takes resources back for a task resuming after a blocking wait, even if that overdraws them.</summary>
    public void ForceAcquire(ResourceRequest request)
    {
        if (!request.IsEmpty)
        {
            _resources.ForceAcquire(request);
        }
    }

    private void Drain()
    {
        List<ISchedulable>? admitted = null;
        ISchedulable? single = null;
        lock (_lock)
        {
            while (_queue.Count > 0 && _resources.TryAcquire(_queue.Peek().Request))
            {
                var next = _queue.Dequeue();
                Interlocked.Decrement(ref _queued);
                if (single is null)
                {
                    single = next;
                }
                else
                {
                    (admitted ??= []).Add(next);
                }
            }
        }
        // Start outside the lock: starting runs no user code here, but may complete work inline on failure.
        single?.Start();
        if (admitted is not null)
        {
            foreach (var work in admitted)
            {
                work.Start();
            }
        }
    }

    /// <summary>Rejects everything still queued; later submits are rejected too.</summary>
    public void Stop(Exception reason)
    {
        ISchedulable[] rejected;
        lock (_lock)
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
}
