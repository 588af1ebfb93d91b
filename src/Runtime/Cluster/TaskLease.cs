using GenRay.Scheduling;

namespace GenRay.Cluster;

/// <summary>
/// A worker's hold on a task's resources, kept while tasks of the same shape keep coming (Ray's lease reuse),
/// so tasks flow to the worker back to back instead of one node admission and one round trip each.
/// </summary>
/// <remarks>
/// <para>
/// The first task of a lease is admitted by the node's scheduler as usual; its resources then belong to the
/// lease. Later tasks asking for the same resources may be <em>attached</em> while the node has none free: they
/// are sent at once and queue in the worker behind the lease's running task, which runs them one at a time, so
/// the node never runs more than it admitted. The lease gives its resources back when its last attached task
/// is done.
/// </para>
/// <para>
/// A task that blocks in <c>Get</c> leaves its lease (the worker starts the next queued task on another thread,
/// as the node would admit another task onto the freed CPU); when it resumes it takes resources of its own, as
/// a blocked task does in one process, and gives them back when it finishes.
/// </para>
/// </remarks>
internal sealed class TaskLease
{
    // The attached count, and Ended once the lease ended: one word changed by compare-and-swap, so a lease (one per
    // task sent one at a time) costs no lock object, and attaching never waits for a thread that was descheduled.
    private const int Ended = 1 << 30;
    private int _state;

    public TaskLease(long id, WorkerHandle worker, ResourceRequest request)
    {
        Id = id;
        Worker = worker;
        Request = request;
        _state = 1; // the admitted task that opens it
    }

    public long Id { get; }

    public WorkerHandle Worker { get; }

    public ResourceRequest Request { get; }

    /// <summary>Tasks sent on this lease and not yet done or detached.</summary>
    public int Attached => Volatile.Read(ref _state) & ~Ended;

    public bool IsEnded => (Volatile.Read(ref _state) & Ended) != 0;

    /// <summary>Attaches one more task, unless the lease ended or is <paramref name="depth"/> deep already.</summary>
    public bool TryAttach(int depth)
    {
        var state = Volatile.Read(ref _state);
        while (true)
        {
            if ((state & Ended) != 0 || state >= depth)
            {
                return false;
            }
            var seen = Interlocked.CompareExchange(ref _state, state + 1, state);
            if (seen == state)
            {
                return true;
            }
            state = seen;
        }
    }

    /// <summary>A task left the lease (done, or blocked); true when that ended the lease: its resources go back.</summary>
    public bool Detach()
    {
        var state = Volatile.Read(ref _state);
        while (true)
        {
            if ((state & Ended) != 0)
            {
                return false;
            }
            var next = state - 1 == 0 ? Ended : state - 1;
            var seen = Interlocked.CompareExchange(ref _state, next, state);
            if (seen == state)
            {
                return next == Ended;
            }
            state = seen;
        }
    }

    /// <summary>Ends the lease whatever is attached (its worker is gone); true if it was still open.</summary>
    public bool End()
    {
        var state = Volatile.Read(ref _state);
        while (true)
        {
            if ((state & Ended) != 0)
            {
                return false;
            }
            var seen = Interlocked.CompareExchange(ref _state, state | Ended, state);
            if (seen == state)
            {
                return true;
            }
            state = seen;
        }
    }
}
