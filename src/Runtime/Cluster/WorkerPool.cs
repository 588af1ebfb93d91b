namespace GenRay.Cluster;

/// <summary>
/// The driver's worker processes: started at init, and replaced one for one when they die, so the node keeps the
/// processes that serve its CPUs (Ray's raylet starts a new worker the same way). Once a worker has died, the
/// pool also keeps spares — started and joined, but given no work — so the next death is replaced at once
/// instead of after a process start (a second or more on a loaded machine; Ray prestarts workers for the same
/// reason). Work that finds every worker dead waits here for the next one instead of failing, as long as one is
/// on its way.
/// </summary>
/// <remarks>
/// The list of serving workers is copied on write: dispatch reads it on every task without a lock, while joins
/// and deaths are rare. Parking and promoting share one lock, so a callback parked just as a worker joins is
/// either run by the join or sees the new worker itself; it is never left behind.
/// </remarks>
internal sealed class WorkerPool(DriverNode driver, IWorkerLauncher launcher)
{
    // Spares kept once a worker has died: enough to replace the next deaths while their own replacements start.
    private const int SpareTarget = 2;

    // Starts in a row that may fail (the machine is loaded, a port is taken) before the pool gives up.
    private const int MaxFailedStarts = 3;

    private readonly object _lock = new();
    private readonly List<Action> _parked = [];
    private readonly List<WorkerHandle> _spares = [];
    private volatile WorkerHandle[] _all = [];
    private int _target;
    private int _nextIndex;
    private int _starting;
    private int _failedStarts;
    private int _replacements;
    private bool _keepSpares;
    private bool _stopping;

    /// <summary>The workers serving, in the order they started serving (a dead one may linger until it is replaced).</summary>
    public IReadOnlyList<WorkerHandle> All => _all;

    public int Replacements => Volatile.Read(ref _replacements);

    /// <summary>Why the last start of a worker failed, if one did.</summary>
    public string? LastStartFailure { get; private set; }

    /// <summary>Starts the first <paramref name="count"/> workers and waits until all joined.</summary>
    public void StartInitial(int count)
    {
        _target = count;
        _nextIndex = count;
        var starting = Enumerable.Range(0, count).Select(launcher.StartAsync).ToList();
        Task.WaitAll([.. starting], TimeSpan.FromSeconds(60));
        for (var i = 0; i < starting.Count; i++)
        {
            var start = starting[i];
            if (!start.IsCompletedSuccessfully)
            {
                throw start.Exception?.InnerException as RayException
                    ?? new RayException("A worker process did not start within 60 s.", start.Exception);
            }
            var worker = driver.Join(start.Result, i);
            lock (_lock)
            {
                _all = [.. _all, worker];
            }
        }
    }

    /// <summary>
    /// A worker died: a spare takes its place at once if there is one, and processes start to make up the
    /// numbers. False when GenRay is stopping (nothing is replaced).
    /// </summary>
    public bool Replace(WorkerHandle lost)
    {
        List<Action>? parked;
        lock (_lock)
        {
            if (_stopping)
            {
                return false;
            }
            _keepSpares = true;
            if (_spares.Remove(lost))
            {
                parked = null; // a spare died before it served: only its own replacement is needed
            }
            else
            {
                Interlocked.Increment(ref _replacements);
                // Dispatch scans the list for every task: dead workers leave it, or it would grow with every death.
                _all = Array.FindAll(_all, w => !ReferenceEquals(w, lost));
                parked = Promote();
            }
            StartMissing();
        }
        Run(parked);
        return true;
    }

    // Under the lock: spares take the places of dead workers; returns the parked work to run if any worker serves.
    private List<Action>? Promote()
    {
        var serving = _all.Count(w => !w.IsLost);
        while (serving < _target && _spares.Count > 0)
        {
            var spare = _spares[0];
            _spares.RemoveAt(0);
            if (spare.IsLost)
            {
                continue;
            }
            _all = [.. _all, spare];
            serving++;
        }
        if (serving == 0 || _parked.Count == 0)
        {
            return null;
        }
        var parked = new List<Action>(_parked);
        _parked.Clear();
        return parked;
    }

    // Under the lock: starts processes for the places missing and, once a worker has died, for the spares.
    private void StartMissing()
    {
        if (_stopping || _failedStarts >= MaxFailedStarts)
        {
            return;
        }
        var serving = _all.Count(w => !w.IsLost);
        var wanted = Math.Max(0, _target - serving) + (_keepSpares ? SpareTarget : 0);
        for (var missing = wanted - _spares.Count - _starting; missing > 0; missing--)
        {
            _starting++;
            var index = _nextIndex++;
            // A thread of its own: starting and joining block for a second or more, which on pool threads would
            // starve the connections' own work (the pool adds threads only slowly) and delay every start in turn.
            new Thread(() => StartOne(index)) { IsBackground = true, Name = $"GenRay worker {index} start" }.Start();
        }
    }

    private void StartOne(int index)
    {
        WorkerHandle? joined = null;
        try
        {
            var started = launcher.StartAsync(index).WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
            joined = driver.Join(started, index);
        }
        catch (Exception error) when (error is RayException or TimeoutException or IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            LastStartFailure = $"starting worker {index} failed: {error.Message}";
            if (!IsStopping)
            {
                Console.Error.WriteLine($"GenRay: {LastStartFailure}"); // a start ended by shutdown is no news
            }
        }
        List<Action>? parked;
        lock (_lock)
        {
            _starting--;
            if (joined is null)
            {
                _failedStarts++;
            }
            else if (_stopping)
            {
                KillQuietly(joined);
            }
            else
            {
                _failedStarts = 0;
                _spares.Add(joined);
            }
            parked = Promote();
            StartMissing();
            // When nothing serves and nothing more is coming, parked work goes on to fail, saying why.
            if (parked is null && _starting == 0 && !_all.Any(w => !w.IsLost))
            {
                parked = [.. _parked];
                _parked.Clear();
            }
        }
        Run(parked);
    }

    /// <summary>
    /// Every worker is dead: runs <paramref name="retry"/> once a replacement serves (or at once, if one does
    /// already). False when no replacement is coming: the caller fails its work.
    /// </summary>
    public bool WhenOneJoins(Action retry)
    {
        lock (_lock)
        {
            if (_stopping)
            {
                return false;
            }
            if (!_all.Any(w => !w.IsLost))
            {
                if (_starting == 0)
                {
                    return false;
                }
                _parked.Add(retry);
                return true;
            }
        }
        retry();
        return true;
    }

    private bool IsStopping
    {
        get
        {
            lock (_lock)
            {
                return _stopping;
            }
        }
    }

    /// <summary>No more replacements; returns every worker to stop, spares included.</summary>
    public IReadOnlyList<WorkerHandle> Stop()
    {
        lock (_lock)
        {
            _stopping = true;
            return [.. _all, .. _spares];
        }
    }

    /// <summary>After <see cref="Stop"/>: work still waiting for a worker fails now.</summary>
    public void FailParked()
    {
        List<Action> parked;
        lock (_lock)
        {
            parked = [.. _parked];
            _parked.Clear();
        }
        Run(parked);
    }

    private static void Run(List<Action>? parked)
    {
        foreach (var retry in parked ?? [])
        {
            retry();
        }
    }

    private static void KillQuietly(WorkerHandle worker) => worker.Process.Kill();
}
