using System.Collections.Concurrent;
using GenRay.Internal;
using GenRay.Scheduling;

namespace GenRay.Cluster;

/// <summary>
/// Leases the driver granted this worker for the tasks its own code submits (Ray's owner-held worker leases): a task
/// of a method the worker holds leases for runs here, on their resources, without a message to the driver and back,
/// and its result is this worker's (Ray's ownership: the submitter owns what its tasks return).
/// </summary>
/// <remarks>
/// <para>
/// Per method, the tasks wait in a backlog that the method's leases run from, one task per lease at a time (a lease
/// holds the method's resources once). The worker asks the driver for a lease when it holds none, and for one more
/// when the backlog is deeper than its leases run in 2 ms (by the run time measured here), one ask at a time; the ask
/// waits in the node's queue like a task and is granted once the node has the resources. Tasks wait here meanwhile,
/// as Ray's owner queues them until a lease comes. A refused ask (a cluster places work by its nodes; the node can
/// never hold the method's resources) sends the method's tasks through the driver from then on.
/// </para>
/// <para>
/// Only tasks with the method's own options (a lease holds the method's resources) and whose exceptions are not
/// retried (the driver retries, and would not see the task) go on leases; others go to the driver as before. A task
/// whose arguments are pending waits for them here first, as Ray's owner holds it, so a chain of tasks stays here.
/// A lease goes back when it took no task for a whole tick of the stall watch (1–2 ms): a loop whose tasks run as
/// fast as it submits them empties the backlog between two tasks, and a lease given back at once would be asked for
/// again on the next. Ray keeps an idle leased worker a while likewise.
/// </para>
/// </remarks>
internal sealed class OwnLeases(Action<RemoteMethod> ask, Action<LeaseQueue> giveBack) : IStallWatched
{
    private readonly ConcurrentDictionary<RemoteMethod, Backlog> _byMethod = new(ReferenceEqualityComparer.Instance);

    // Idle leases, and how many tasks each had taken when last seen idle (-1: not seen yet). Counted per lease: a
    // backlog gives a task to its first idle lease, so while one lease keeps up with a stream the others retire.
    private readonly Dictionary<LeaseQueue, long> _idle = new(ReferenceEqualityComparer.Instance);
    private int _watched;

    /// <summary>Whether <paramref name="task"/>, which this worker's code submitted, may run on a lease of the worker's own.</summary>
    public static bool Takes(TaskInvocation task) =>
        ReferenceEquals(task.Options, task.Method.Defaults)
        && task.Options is not { RetryExceptions: true } and not { RetryExceptionTypes.Count: > 0 };

    /// <summary>Runs <paramref name="task"/>, whose arguments are ready, on a lease of its own (now or once one is granted); false when it must go to the driver.</summary>
    public bool TryRun(TaskInvocation task) => BacklogOf(task.Method).TryAdd(task);

    /// <summary>The driver granted <paramref name="queue"/> for tasks of <paramref name="method"/>.</summary>
    public void Granted(RemoteMethod method, LeaseQueue queue)
    {
        var backlog = BacklogOf(method);
        queue.MakeOwn(backlog);
        backlog.Granted(queue);
    }

    /// <summary>The driver refused leases for <paramref name="method"/>: its waiting tasks, to send through the driver.</summary>
    public List<TaskInvocation> Refused(RemoteMethod method) => BacklogOf(method).Refuse();

    private Backlog BacklogOf(RemoteMethod method) =>
        _byMethod.GetOrAdd(method, static (m, leases) => new Backlog(m, leases), this);

    /// <summary>An own lease has nothing to run: it goes back unless a task of its method comes within a tick.</summary>
    public void Idle(LeaseQueue queue)
    {
        lock (_idle)
        {
            _idle[queue] = -1;
        }
        StallWatch.WatchOnce(this, ref _watched);
    }

    public bool CheckStall(long now)
    {
        List<LeaseQueue>? retired = null;
        lock (_idle)
        {
            foreach (var (queue, seen) in _idle.ToArray())
            {
                var taken = queue.Taken;
                if (seen == taken && queue.TryRetire())
                {
                    _idle.Remove(queue);
                    (retired ??= []).Add(queue);
                }
                else
                {
                    // Busy again (it comes back here when idle), or idle since a task came: look again next tick.
                    _idle[queue] = taken;
                }
            }
        }
        if (retired is not null)
        {
            foreach (var queue in retired)
            {
                queue.Own!.Retired(queue);
                giveBack(queue);
            }
        }
        return StallWatch.StaysWhenIdle(ref _watched, this, static leases => leases.AnyIdle);
    }

    private bool AnyIdle
    {
        get
        {
            lock (_idle)
            {
                return _idle.Count > 0;
            }
        }
    }

    /// <summary>One method's tasks waiting for its leases here, and those leases.</summary>
    internal sealed class Backlog(RemoteMethod method, OwnLeases owner)
    {
        private readonly Queue<TaskInvocation> _tasks = new();
        private readonly LeaseTable.RunTime _runTime = new();
        private LeaseQueue[] _leases = [];
        private bool _asking;
        private bool _refused;

        public bool HasWork
        {
            get
            {
                lock (_tasks)
                {
                    return _tasks.Count > 0;
                }
            }
        }

        // How many tasks may wait per lease before one more is asked for: LeaseTable.QueuedMicros of work by the run time
        // measured here, one while it is unknown.
        private int Depth => _runTime.Depth(1 << 16);

        public bool TryAdd(TaskInvocation task)
        {
            LeaseQueue[] leases;
            bool ask;
            lock (_tasks)
            {
                if (_refused)
                {
                    return false;
                }
                _tasks.Enqueue(task);
                leases = _leases;
                ask = NeedsLease();
            }
            // A lease idle now runs it; busy ones take it from here when done with what they run.
            foreach (var lease in leases)
            {
                if (lease.TryKick())
                {
                    break;
                }
            }
            if (ask)
            {
                owner.AskFor(method);
            }
            return true;
        }

        /// <summary>The next task for <paramref name="lease"/>, which runs it. Called under the lease's lock.</summary>
        public bool TryTake(LeaseQueue lease, out TaskInvocation task)
        {
            lock (_tasks)
            {
                if (!_tasks.TryDequeue(out task!))
                {
                    return false;
                }
            }
            task.LeaseQueue = lease;
            return true;
        }

        public void Ran(double micros) => _runTime.Add(micros);

        public void Granted(LeaseQueue lease)
        {
            bool ask;
            lock (_tasks)
            {
                _leases = [.. _leases, lease];
                _asking = false;
                ask = NeedsLease();
            }
            lease.TryKick();
            if (ask)
            {
                owner.AskFor(method);
            }
        }

        /// <summary>A lease retired idle and goes back; the backlog asks again if tasks came meanwhile.</summary>
        public void Retired(LeaseQueue lease)
        {
            bool ask;
            lock (_tasks)
            {
                _leases = Array.FindAll(_leases, l => !ReferenceEquals(l, lease));
                ask = NeedsLease();
            }
            if (ask)
            {
                owner.AskFor(method);
            }
        }

        public List<TaskInvocation> Refuse()
        {
            lock (_tasks)
            {
                _refused = true;
                _asking = false;
                var waiting = new List<TaskInvocation>(_tasks);
                _tasks.Clear();
                return waiting;
            }
        }

        // Under the lock: whether to ask for a lease now (none asked yet, and the backlog outgrew the leases held);
        // marks the ask made.
        private bool NeedsLease()
        {
            if (_asking || _refused || _tasks.Count == 0 || _tasks.Count <= (long)Depth * _leases.Length)
            {
                return false;
            }
            _asking = true;
            return true;
        }
    }

    private void AskFor(RemoteMethod method) => ask(method);
}
