using GenRay.Scheduling;

namespace GenRay.Cluster.Nodes;

/// <summary>
/// A node daemon's book of its resources across jobs (the raylet's part in Ray's scheduling): the node's totals,
/// what each job was granted, and the jobs waiting for more. Drivers place their tasks and actors only within
/// what they were granted here, so a node never runs more than its resources for all jobs together.
/// </summary>
/// <remarks>
/// Grants go out in arrival order: a request that does not fit waits, and nothing asked after it is granted
/// before it, so a large request is not starved by a stream of small ones. A waiting request is a long poll,
/// bounded by the wait the caller gives (it then hears "not granted" and asks again), so no call outlives its
/// deadline. A job holds its grants only while its driver renews them: one killed without a word (SIGKILL,
/// its machine lost) loses them after <see cref="ExpireAfter"/>, when <see cref="Expire"/> next runs.
/// Replies tell a job whether others wait here: a job keeps what it was granted while it has work for it, so
/// without that word a busy job would hold a node until its work ran out.
/// </remarks>
internal sealed class NodeLedger(IReadOnlyDictionary<string, double> total, TimeProvider time)
{
    /// <summary>How long a waiting request is held before "not granted" (the driver asks again).</summary>
    public static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(5);

    /// <summary>A job's grants are dropped when its driver has not renewed them for this long (it renews every second).</summary>
    public static readonly TimeSpan ExpireAfter = TimeSpan.FromSeconds(10);

    private readonly object _lock = new();
    private readonly Dictionary<string, long> _total = total.ToDictionary(t => t.Key, t => ResourceRequest.ToUnits(t.Value), StringComparer.Ordinal);
    private readonly Dictionary<string, long> _free = total.ToDictionary(t => t.Key, t => ResourceRequest.ToUnits(t.Value), StringComparer.Ordinal);
    private readonly Dictionary<string, Holder> _jobs = new(StringComparer.Ordinal);
    private readonly LinkedList<Waiter> _queue = new();

    /// <summary>
    /// Grants <paramref name="request"/>'s amounts now, or once everything asked before them was granted and they
    /// fit; false when they did not within <paramref name="wait"/>. Refuses amounts the node could never hold.
    /// </summary>
    public async Task<GrantReply> AcquireAsync(GrantRequest request, TimeSpan wait, CancellationToken ct = default)
    {
        var units = ToUnits(request.Amounts);
        Waiter waiter;
        lock (_lock)
        {
            if (Infeasible(units) is { } why)
            {
                throw new RayException($"{request.JobId} asks this node for {HeadState.Format(request.Amounts)}, but {why}: it could never be granted.");
            }
            var holder = Renewed(request.JobId);
            if (_queue.Count == 0 && Fits(units))
            {
                Take(holder, units);
                return new GrantReply(true, false);
            }
            waiter = new Waiter(request.JobId, units);
            waiter.Place = _queue.AddLast(waiter);
        }
        try
        {
            return Reply(request.JobId, await waiter.Granted.Task.WaitAsync(wait, time, ct).ConfigureAwait(false));
        }
        catch (Exception error) when (error is TimeoutException or OperationCanceledException)
        {
            lock (_lock)
            {
                if (waiter.Place.List is not null)
                {
                    _queue.Remove(waiter.Place);
                    GrantWaiting(); // it may have been the one holding the others back
                    return new GrantReply(false, IsContended(request.JobId));
                }
            }
            // Granted (or dropped) just as the wait ended.
            if (!waiter.Granted.Task.Result)
            {
                return Reply(request.JobId, false);
            }
            if (ct.IsCancellationRequested)
            {
                Return(request); // the caller is gone and will never hear of it
                throw;
            }
            return Reply(request.JobId, true);
        }
    }

    /// <summary>A job gives back part of what it was granted (never more than it holds).</summary>
    public Nothing Return(GrantRequest request)
    {
        var units = ToUnits(request.Amounts);
        lock (_lock)
        {
            if (_jobs.TryGetValue(request.JobId, out var holder))
            {
                foreach (var (name, amount) in units)
                {
                    var back = Math.Min(amount, holder.Held.GetValueOrDefault(name));
                    holder.Held[name] = holder.Held.GetValueOrDefault(name) - back;
                    _free[name] += back;
                }
                holder.Renewed = time.GetTimestamp();
                GrantWaiting();
            }
        }
        return new Nothing();
    }

    /// <summary>The job's driver is alive: its grants stay.</summary>
    public RenewReply Renew(RenewRequest request)
    {
        lock (_lock)
        {
            if (_jobs.TryGetValue(request.JobId, out var holder))
            {
                holder.Renewed = time.GetTimestamp();
            }
            return new RenewReply(IsContended(request.JobId));
        }
    }

    /// <summary>The job ended on this node: all it holds comes back, and what it waits for is not granted.</summary>
    public void EndJob(string jobId)
    {
        lock (_lock)
        {
            Drop(jobId);
            GrantWaiting();
        }
    }

    /// <summary>Drops the grants of jobs not renewed for <see cref="ExpireAfter"/> (the daemon calls this every second).</summary>
    public void Expire()
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            var silent = _jobs.Values.Where(j => time.GetElapsedTime(j.Renewed, now) > ExpireAfter).ToList();
            foreach (var job in silent)
            {
                if (job.Held.Values.Any(v => v > 0))
                {
                    Console.Out.WriteLine($"GenRay: {job.Id} did not renew its grants for {ExpireAfter.TotalSeconds:0} s (its driver is gone?): " +
                        $"{HeadState.Format(ToAmounts(job.Held))} given back");
                }
                Drop(job.Id);
            }
            if (silent.Count > 0)
            {
                GrantWaiting();
            }
        }
    }

    /// <summary>What no job holds now.</summary>
    public Dictionary<string, double> Free()
    {
        lock (_lock)
        {
            return ToAmounts(_free);
        }
    }

    /// <summary>What <paramref name="jobId"/> holds here now.</summary>
    public Dictionary<string, double> HeldBy(string jobId)
    {
        lock (_lock)
        {
            return _jobs.TryGetValue(jobId, out var holder) ? ToAmounts(holder.Held) : [];
        }
    }

    private GrantReply Reply(string jobId, bool granted)
    {
        lock (_lock)
        {
            return new GrantReply(granted, IsContended(jobId));
        }
    }

    // Under the lock. Whether another job waits here.
    private bool IsContended(string jobId)
    {
        foreach (var waiter in _queue)
        {
            if (waiter.JobId != jobId)
            {
                return true;
            }
        }
        return false;
    }

    // Under the lock.
    private Holder Renewed(string jobId)
    {
        if (!_jobs.TryGetValue(jobId, out var holder))
        {
            _jobs[jobId] = holder = new Holder(jobId);
        }
        holder.Renewed = time.GetTimestamp();
        return holder;
    }

    // Under the lock. Grants from the front of the queue while they fit; the first that does not holds the rest.
    private void GrantWaiting()
    {
        while (_queue.First is { } first && Fits(first.Value.Units))
        {
            _queue.RemoveFirst();
            Take(Renewed(first.Value.JobId), first.Value.Units);
            first.Value.Granted.TrySetResult(true);
        }
    }

    // Under the lock.
    private void Drop(string jobId)
    {
        if (_jobs.Remove(jobId, out var holder))
        {
            foreach (var (name, amount) in holder.Held)
            {
                _free[name] += amount;
            }
        }
        for (var node = _queue.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.JobId == jobId)
            {
                _queue.Remove(node);
                node.Value.Granted.TrySetResult(false);
            }
            node = next;
        }
    }

    private void Take(Holder holder, Dictionary<string, long> units)
    {
        foreach (var (name, amount) in units)
        {
            _free[name] -= amount;
            holder.Held[name] = holder.Held.GetValueOrDefault(name) + amount;
        }
    }

    private bool Fits(Dictionary<string, long> units) => units.All(u => _free.GetValueOrDefault(u.Key) >= u.Value);

    private string? Infeasible(Dictionary<string, long> units)
    {
        foreach (var (name, amount) in units)
        {
            if (amount > _total.GetValueOrDefault(name))
            {
                return $"this node has {HeadState.Format(ToAmounts(_total))}";
            }
        }
        return null;
    }

    private static Dictionary<string, long> ToUnits(Dictionary<string, double> amounts)
    {
        var units = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, amount) in amounts)
        {
            if (amount < 0 || double.IsNaN(amount))
            {
                throw new RayException($"Resource amounts must be 0 or more ('{name}' is {amount}).");
            }
            if (ResourceRequest.ToUnits(amount) is > 0 and var value)
            {
                units[name] = value;
            }
        }
        return units;
    }

    private static Dictionary<string, double> ToAmounts(Dictionary<string, long> units) =>
        units.Where(u => u.Value != 0).ToDictionary(u => u.Key, u => ResourceRequest.FromUnits(u.Value), StringComparer.Ordinal);

    private sealed class Holder(string id)
    {
        public string Id { get; } = id;
        public Dictionary<string, long> Held { get; } = new(StringComparer.Ordinal);
        public long Renewed { get; set; }
    }

    private sealed class Waiter(string jobId, Dictionary<string, long> units)
    {
        public string JobId { get; } = jobId;
        public Dictionary<string, long> Units { get; } = units;
        public TaskCompletionSource<bool> Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public LinkedListNode<Waiter> Place { get; set; } = null!;
    }
}
