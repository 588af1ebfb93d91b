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
/// </remarks>
internal sealed class LeaseQueue : IThreadPoolWorkItem
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
            _retired = !_busy && _queue.Count == 0;
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
                    if (!_queue.TryDequeue(out task!))
                    {
                        _busy = false;
                        break;
                    }
                    _current = task;
                }
                task.StartedAt = System.Diagnostics.Stopwatch.GetTimestamp();
                ((IThreadPoolWorkItem)task).Execute();
                lock (_queue)
                {
                    if (!ReferenceEquals(_current, task) || !task.ResultRef.IsCompleted)
                    {
                        return; // it blocked (another runner took over), or it is still running asynchronously
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
            if (_queue.Count > 0)
            {
                _workers.Run(this);
                return;
            }
            _busy = false;
        }
        _idle(this);
    }
}
