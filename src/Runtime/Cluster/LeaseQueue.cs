using GenRay.Internal;
using GenRay.Scheduling;

namespace GenRay.Cluster;

/// <summary>
/// A worker's side of a <see cref="TaskLease"/>: the lease's tasks, run one at a time in the order sent. One
/// runner thread goes through the queue, so a burst of short tasks costs no thread hand-off per task.
/// </summary>
/// <remarks>
/// The task running holds the lease until it finishes or blocks. A synchronous task finishes inside its run and
/// the runner goes on to the next; an asynchronous one still pending when its run returns keeps the lease, and
/// its completion starts a runner for the rest; one that blocks in <c>Get</c> hands the lease to a new runner at
/// once (the driver counts its CPUs free, as the node would in one process).
/// <para>
/// A lease may be this worker's own (see <see cref="OwnLeases"/>): then it runs tasks this worker's code submitted,
/// from a backlog it shares with the worker's other leases of the method, without the driver.
/// </para>
/// </remarks>
internal sealed class LeaseQueue : IThreadPoolWorkItem, IObjectListener
{
    [ThreadStatic]
    private static LeaseQueue? t_running;

    private readonly Queue<TaskInvocation> _queue = new();
    private readonly TaskWorkers _workers;
    private readonly Action<LeaseQueue> _idle;
    private TaskInvocation? _current; // the task holding the lease
    private bool _busy;               // a runner is on its way or a task holds the lease
    private bool _retired;            // idle and forgotten: the lease's next task starts a new queue

    /// <param name="id">The driver's id of the lease.</param>
    /// <param name="workers">The threads tasks run on.</param>
    /// <param name="idle">Called when the queue has nothing to run and nothing running: its owner may retire it.</param>
    public LeaseQueue(long id, TaskWorkers workers, Action<LeaseQueue> idle)
    {
        Id = id;
        _workers = workers;
        _idle = idle;
    }

    public long Id { get; }

    // For a lease given to this worker (see OwnLeases): the tasks of its code it takes, shared with the worker's other
    // leases of the method. Null for the driver's leases, whose tasks the driver sends.
    private OwnLeases.Backlog? _own;

    /// <summary>The backlog an own lease runs from; null for a lease of the driver's.</summary>
    public OwnLeases.Backlog? Own => _own;

    /// <summary>How many tasks it took so far: an idle own lease lingers while this keeps changing.</summary>
    public long Taken => Volatile.Read(ref _taken);

    private long _taken;

    /// <summary>Makes this a lease of the worker's own, running the tasks of <paramref name="backlog"/>. Before it runs any.</summary>
    public void MakeOwn(OwnLeases.Backlog backlog) => _own = backlog;

    /// <summary>Starts a runner on an own lease that is idle (and not retired): its backlog has work. False when it is busy or gone.</summary>
    public bool TryKick()
    {
        lock (_queue)
        {
            if (_busy || _retired)
            {
                return false;
            }
            _busy = true;
        }
        _workers.Run(this);
        return true;
    }

    /// <summary>
    /// Queues a task; false when the queue retired (take a new one: nothing of this lease runs any more). A task that
    /// finds the queue idle runs on the reader's thread that read it when that can be lent (a lone task: no thread to
    /// wake, see <see cref="PeerConnection.TryLendReader"/>), else on a runner thread.
    /// </summary>
    public bool TryEnqueue(TaskInvocation task)
    {
        lock (_queue)
        {
            if (_retired)
            {
                return false;
            }
            task.LeaseQueue = this;
            _queue.Enqueue(task);
            if (_busy)
            {
                return true;
            }
            _busy = true;
        }
        if (!PeerConnection.TryLendReader(_first ??= new FirstOnReader(this)))
        {
            _workers.Run(this);
        }
        return true;
    }

    private FirstOnReader? _first;

    /// <summary>Runs the queue's first task on a connection's reader thread and leaves the rest to a runner thread.</summary>
    private sealed class FirstOnReader(LeaseQueue queue) : IThreadPoolWorkItem
    {
        public void Execute() => queue.RunTasks(onReader: true);
    }

    /// <summary>Retires the queue if it is still idle; true when it did.</summary>
    public bool TryRetire()
    {
        lock (_queue)
        {
            _retired = !_busy && _queue.Count == 0 && _own is not { HasWork: true };
            return _retired;
        }
    }

    /// <summary>The runner: runs queued tasks until the queue is empty or a task keeps the lease past its run.</summary>
    void IThreadPoolWorkItem.Execute() => RunTasks(onReader: false);

    // On a reader's thread only the first task runs: the reader has a connection to get back to.
    private void RunTasks(bool onReader)
    {
        var outer = t_running;
        t_running = this;
        try
        {
            while (true)
            {
                TaskInvocation task;
                lock (_queue)
                {
                    if (!_queue.TryDequeue(out task!) && (_own is null || !_own.TryTake(this, out task!)))
                    {
                        _busy = false;
                        break;
                    }
                    _current = task;
                    _taken++;
                }
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                task.StartedAt = started;
                ((IThreadPoolWorkItem)task).Execute();
                if (_own is not null && task.ResultRef.IsCompleted)
                {
                    _own.Ran(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                }
                lock (_queue)
                {
                    if (!ReferenceEquals(_current, task))
                    {
                        return; // it blocked: another runner took over
                    }
                    // Still running asynchronously: it keeps the lease until done. The driver's tasks say when through
                    // their done sender; one this worker submitted has none, so the queue listens (unless it is done now).
                    if (!task.ResultRef.IsCompleted && (task.RemoteId != 0 || task.ResultRef.TryAddListener(this)))
                    {
                        return;
                    }
                    _current = null;
                    if (onReader && _queue.Count > 0)
                    {
                        _workers.Run(this);
                        return;
                    }
                }
            }
        }
        finally
        {
            t_running = outer;
        }
        _idle(this);
    }

    // The asynchronous task of this worker's own that held the lease is done.
    void IObjectListener.OnObjectReady(ObjectRef completed)
    {
        TaskInvocation? current;
        lock (_queue)
        {
            current = _current;
        }
        if (current is not null && ReferenceEquals(current.ResultRef, completed))
        {
            Finished(current);
        }
    }

    /// <summary>The running task waits for an object: the rest of the queue goes on without it.</summary>
    public void Blocked(TaskInvocation task) => Release(task);

    /// <summary>A task's result is set: if it still held the lease (an asynchronous task), the queue goes on.</summary>
    public void Finished(TaskInvocation task)
    {
        if (ReferenceEquals(t_running, this))
        {
            return; // finished inside its run: the runner goes on by itself
        }
        Release(task);
    }

    private void Release(TaskInvocation task)
    {
        lock (_queue)
        {
            if (!ReferenceEquals(_current, task))
            {
                return;
            }
            _current = null;
            if (_queue.Count > 0 || _own is { HasWork: true })
            {
                _workers.Run(this);
                return;
            }
            _busy = false;
        }
        _idle(this);
    }
}
