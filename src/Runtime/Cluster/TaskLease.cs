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
    private readonly object _lock = new();
    private int _attached;
    private bool _ended;

    public TaskLease(long id, WorkerHandle worker, ResourceRequest request)
    {
        Id = id;
        Worker = worker;
        Request = request;
        _attached = 1; // the admitted task that opens it
    }

    public long Id { get; }

    public WorkerHandle Worker { get; }

    public ResourceRequest Request { get; }

    /// <summary>Tasks sent on this lease and not yet done or detached.</summary>
    public int Attached => Volatile.Read(ref _attached);

    public bool IsEnded => Volatile.Read(ref _ended);

    /// <summary>Attaches one more task, unless the lease ended or is <paramref name="depth"/> deep already.</summary>
    public bool TryAttach(int depth)
    {
        lock (_lock)
        {
            if (_ended || _attached >= depth)
            {
                return false;
            }
            _attached++;
            return true;
        }
    }

    /// <summary>A task left the lease (done, or blocked); true when that ended the lease: its resources go back.</summary>
    public bool Detach()
    {
        lock (_lock)
        {
            if (_ended)
            {
                return false;
            }
            _attached--;
            _ended = _attached == 0;
            return _ended;
        }
    }

    /// <summary>Ends the lease whatever is attached (its worker is gone); true if it was still open.</summary>
    public bool End()
    {
        lock (_lock)
        {
            if (_ended)
            {
                return false;
            }
            _ended = true;
            return true;
        }
    }
}
