using System.Collections.Concurrent;
using GenRay.Internal;
using GenRay.Scheduling;

namespace GenRay.Cluster;

/// <summary>
/// The driver's open <see cref="TaskLease"/>s, by the resources they hold, and how deep a method's tasks may queue
/// on one: deep for tasks of microseconds (the round trip to the worker would dominate them), not at all for
/// long ones (a task queued behind a long one could have run elsewhere sooner).
/// </summary>
internal sealed class LeaseTable
{
    /// <summary>How much work, by the method's average run time, may wait on one lease (a worker's own leases too).</summary>
    public const double QueuedMicros = 2_000;

    private const int MaxDepth = 1024;

    // Per request (reference identity: one instance per method and node, or per call made with options of its own),
    // the open leases; copied on write.
    private readonly ConcurrentDictionary<ResourceRequest, TaskLease[]> _open = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentDictionary<RemoteMethod, RunTime> _runTimes = new(ReferenceEqualityComparer.Instance);
    private readonly object _lock = new();
    private long _nextId;

    public TaskLease Open(WorkerHandle worker, ResourceRequest request)
    {
        var lease = new TaskLease(Interlocked.Increment(ref _nextId), worker, request);
        lock (_lock)
        {
            var open = _open.TryGetValue(request, out var current) ? current : [];
            _open[request] = [.. open, lease];
        }
        return lease;
    }

    /// <summary>Requests with a lease open now (for tests).</summary>
    internal int OpenRequests => _open.Count;

    /// <summary>A lease granted to a worker for its own code's tasks: not open to the driver's tasks (the worker runs what it holds).</summary>
    public TaskLease OpenOwn(WorkerHandle worker, ResourceRequest request) =>
        new(Interlocked.Increment(ref _nextId), worker, request);

    public void Close(TaskLease lease)
    {
        lock (_lock)
        {
            // The entry goes with its last lease: a task with options of its own per call holds a request of its own,
            // so an entry kept would stay for every such task the driver ever sent.
            if (_open.TryGetValue(lease.Request, out var current))
            {
                var rest = Without(current, lease);
                if (rest.Length == 0)
                {
                    _open.TryRemove(lease.Request, out _);
                }
                else
                {
                    _open[lease.Request] = rest;
                }
            }
        }
    }

    /// <summary>Attaches the task to the shallowest open lease that takes it; null when none does.</summary>
    public TaskLease? TryAttach(TaskInvocation task)
    {
        var depth = Depth(task.Method);
        if (depth <= 1 || !_open.TryGetValue(task.Request, out var leases))
        {
            return null;
        }
        while (true)
        {
            TaskLease? best = null;
            foreach (var lease in leases)
            {
                if (!lease.IsEnded && !lease.Worker.IsLost && lease.Attached < depth && (best is null || lease.Attached < best.Attached))
                {
                    best = lease;
                }
            }
            if (best is null)
            {
                return null;
            }
            if (best.TryAttach(depth))
            {
                return best;
            }
            // It filled up or ended meanwhile: look again among the others.
            leases = Without(leases, best);
        }
    }

    // Not Array.FindAll: that made a closure, a delegate and a list on every close, once per task sent alone. A lease is
    // in its request's array at most once (Open adds each new one once).
    private static TaskLease[] Without(TaskLease[] leases, TaskLease gone)
    {
        var at = Array.IndexOf(leases, gone);
        if (at < 0)
        {
            return leases;
        }
        var rest = leases.Length == 1 ? [] : new TaskLease[leases.Length - 1];
        Array.Copy(leases, rest, at);
        Array.Copy(leases, at + 1, rest, at, leases.Length - at - 1);
        return rest;
    }

    /// <summary>A task of <paramref name="method"/> ran for <paramref name="micros"/> in its worker.</summary>
    public void Ran(RemoteMethod method, double micros)
    {
        var time = _runTimes.GetOrAdd(method, static _ => new RunTime());
        time.Add(micros);
    }

    /// <summary>How many tasks of <paramref name="method"/> one lease may hold at once.</summary>
    public int Depth(RemoteMethod method)
    {
        return _runTimes.TryGetValue(method, out var time) ? time.Depth(MaxDepth) : 1;
    }

    /// <summary>A moving average of run times; written by one thread per worker, read by submitters.</summary>
    internal sealed class RunTime
    {
        private const double Weight = 0.1;
        private double _average = double.NaN;
        private int _samples;

        public double? Average => Volatile.Read(ref _samples) >= 3 ? Volatile.Read(ref _average) : null;

        /// <summary>How many tasks fit in <see cref="QueuedMicros"/> of work, up to <paramref name="max"/>; one while nothing is known yet.</summary>
        public int Depth(int max) => Average is { } average ? (int)Math.Clamp(QueuedMicros / Math.Max(average, 0.5), 1, max) : 1;

        public void Add(double micros)
        {
            var current = Volatile.Read(ref _average);
            Volatile.Write(ref _average, double.IsNaN(current) ? micros : current + (Weight * (micros - current)));
            Interlocked.Increment(ref _samples);
        }
    }
}
