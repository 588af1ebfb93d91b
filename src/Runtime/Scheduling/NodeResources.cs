using System.Globalization;

namespace GenRay.Scheduling;

/// <summary>
/// The logical resources of this node and how much of each is free. CPU, the resource nearly every task
/// asks for, is a single atomic counter so the common acquire is one compare-and-swap; custom resources are
/// rare and change under a lock (taken only by requests that name them).
/// </summary>
/// <remarks>
/// On a cluster a driver keeps one per node for what its daemon granted the job: that pool starts empty,
/// <see cref="Grow"/>s with each grant and <see cref="TryShrink"/>s when idle holdings go back. Its totals are
/// then what the job holds, not the node's; the single-machine scheduler's pool never changes its totals.
/// </remarks>
internal sealed class NodeResources
{
    public const string Cpu = "CPU";
    public const string Gpu = "GPU";

    private readonly object _customLock = new();
    private readonly Dictionary<string, int> _indexByName;
    private readonly string[] _names;
    private readonly long[] _customTotal;
    private readonly long[] _customAvailable;
    private long _cpuTotal;
    private long _cpuAvailable;

    public NodeResources(double cpus, IReadOnlyDictionary<string, double> custom)
    {
        _cpuTotal = ResourceRequest.ToUnits(cpus);
        _cpuAvailable = _cpuTotal;
        _names = custom.Keys.Order(StringComparer.Ordinal).ToArray();
        _indexByName = new Dictionary<string, int>(StringComparer.Ordinal);
        _customTotal = new long[_names.Length];
        for (var i = 0; i < _names.Length; i++)
        {
            _indexByName[_names[i]] = i;
            _customTotal[i] = ResourceRequest.ToUnits(custom[_names[i]]);
        }
        _customAvailable = (long[])_customTotal.Clone();
    }

    public double TotalCpus => ResourceRequest.FromUnits(Volatile.Read(ref _cpuTotal));

    /// <summary>
    /// Turns requested amounts into a request this node can hold, or says why it never can: a request that
    /// exceeds the node's total would wait forever, so it fails at submit with what to change.
    /// </summary>
    public ResourceRequest Resolve(string what, double cpus, double gpus, IDictionary<string, double>? custom)
    {
        if (cpus < 0 || double.IsNaN(cpus))
        {
            throw new RayException($"{what} asks for {cpus} CPUs; NumCpus must be 0 or more.");
        }
        var cpuUnits = ResourceRequest.ToUnits(cpus);
        if (cpuUnits > _cpuTotal)
        {
            throw new RayException(
                $"{what} asks for {Format(cpus)} CPUs but this node has {Format(TotalCpus)} (RayOptions.NumCpus). " +
                "It could never run: lower NumCpus on the [Remote] attribute or in its options, or start Ray with more CPUs.");
        }

        var wanted = new List<(int, long)>();
        if (gpus > 0)
        {
            wanted.Add(ResolveCustom(what, Gpu, gpus));
        }
        if (custom is not null)
        {
            foreach (var (name, amount) in custom)
            {
                if (amount < 0 || double.IsNaN(amount))
                {
                    throw new RayException($"{what} asks for {amount} of resource '{name}'; amounts must be 0 or more.");
                }
                if (amount > 0)
                {
                    wanted.Add(ResolveCustom(what, name, amount));
                }
            }
        }
        var request = cpuUnits == 0 && wanted.Count == 0 ? ResourceRequest.None : new ResourceRequest(cpuUnits, wanted.ToArray());
        if (Feasibility?.Invoke(request) is { } why)
        {
            throw new RayException($"{what} could never run: {why}. Lower the request, or start a node that has it all (genray start --num-cpus/--resources).");
        }
        return request;
    }

    /// <summary>
    /// In a cluster these are the totals of all nodes, but one task runs on one node: this says why a request no
    /// single node can hold never could (null when one can).
    /// </summary>
    public Func<ResourceRequest, string?>? Feasibility { get; set; }

    /// <summary>Whether the totals could hold <paramref name="request"/> when nothing else runs.</summary>
    public bool CanEverHold(ResourceRequest request) =>
        request.CpuUnits <= _cpuTotal && request.Custom.All(c => c.Units <= _customTotal[c.Index]);

    /// <summary>The share of CPUs free now (1 when the node has none to share).</summary>
    public double FreeCpuShare
    {
        get
        {
            var total = Volatile.Read(ref _cpuTotal);
            return total == 0 ? 1 : (double)Volatile.Read(ref _cpuAvailable) / total;
        }
    }

    /// <summary>Whether these totals grown by <paramref name="more"/> stay within <paramref name="limit"/>'s (a pool of the same resource names).</summary>
    public bool CanGrowWithin(NodeResources limit, ResourceRequest more)
    {
        if (Volatile.Read(ref _cpuTotal) + more.CpuUnits > limit._cpuTotal)
        {
            return false;
        }
        if (more.Custom.Length == 0)
        {
            return true;
        }
        lock (_customLock)
        {
            return more.Custom.All(c => _customTotal[c.Index] + c.Units <= limit._customTotal[c.Index]);
        }
    }

    /// <summary>Adds <paramref name="amounts"/> to the totals and to what is free (a grant to this pool).</summary>
    public void Grow(ResourceRequest amounts)
    {
        if (amounts.CpuUnits != 0)
        {
            Interlocked.Add(ref _cpuTotal, amounts.CpuUnits);
        }
        lock (_customLock)
        {
            foreach (var (index, units) in amounts.Custom)
            {
                _customTotal[index] += units;
            }
        }
        Release(amounts);
    }

    /// <summary>Takes <paramref name="amounts"/> out of what is free and out of the totals for good; false (nothing taken) when they are not all free.</summary>
    public bool TryShrink(ResourceRequest amounts)
    {
        if (!TryAcquire(amounts))
        {
            return false;
        }
        if (amounts.CpuUnits != 0)
        {
            Interlocked.Add(ref _cpuTotal, -amounts.CpuUnits);
        }
        lock (_customLock)
        {
            foreach (var (index, units) in amounts.Custom)
            {
                _customTotal[index] -= units;
            }
        }
        return true;
    }

    /// <summary>What is free now, as a request (none when nothing is).</summary>
    public ResourceRequest Free()
    {
        var cpu = Math.Max(0, Volatile.Read(ref _cpuAvailable));
        (int, long)[] custom;
        lock (_customLock)
        {
            custom = [.. Enumerable.Range(0, _names.Length).Where(i => _customAvailable[i] > 0).Select(i => (i, _customAvailable[i]))];
        }
        return cpu == 0 && custom.Length == 0 ? ResourceRequest.None : new ResourceRequest(cpu, custom);
    }

    /// <summary><paramref name="request"/>'s amounts by resource name (for a node's daemon, which knows names, not indexes).</summary>
    public Dictionary<string, double> Amounts(ResourceRequest request)
    {
        var amounts = new Dictionary<string, double>(StringComparer.Ordinal);
        if (request.CpuUnits != 0)
        {
            amounts[Cpu] = ResourceRequest.FromUnits(request.CpuUnits);
        }
        foreach (var (index, units) in request.Custom)
        {
            amounts[_names[index]] = ResourceRequest.FromUnits(units);
        }
        return amounts;
    }

    private (int, long) ResolveCustom(string what, string name, double amount)
    {
        if (!_indexByName.TryGetValue(name, out var index))
        {
            var have = _names.Length == 0 ? "none" : string.Join(", ", _names.Select(n => $"{n}={Format(ResourceRequest.FromUnits(_customTotal[_indexByName[n]]))}"));
            throw new RayException(
                $"{what} asks for resource '{name}' ({Format(amount)}) but this node has no '{name}' (its custom resources: {have}). " +
                $"It could never run: add it to RayOptions.Resources (or NumGpus for GPU), or remove it from the request.");
        }
        var units = ResourceRequest.ToUnits(amount);
        if (units > _customTotal[index])
        {
            throw new RayException(
                $"{what} asks for {Format(amount)} of '{name}' but this node has {Format(ResourceRequest.FromUnits(_customTotal[index]))}. " +
                "It could never run: lower the request or give the node more.");
        }
        return (index, units);
    }

    public bool TryAcquire(ResourceRequest request)
    {
        if (request.Custom.Length == 0)
        {
            return TryAcquireCpu(request.CpuUnits);
        }
        lock (_customLock)
        {
            foreach (var (index, units) in request.Custom)
            {
                if (_customAvailable[index] < units)
                {
                    return false;
                }
            }
            if (!TryAcquireCpu(request.CpuUnits))
            {
                return false;
            }
            foreach (var (index, units) in request.Custom)
            {
                _customAvailable[index] -= units;
            }
            return true;
        }
    }

    private bool TryAcquireCpu(long units)
    {
        if (units == 0)
        {
            return true;
        }
        var available = Volatile.Read(ref _cpuAvailable);
        while (available >= units)
        {
            var seen = Interlocked.CompareExchange(ref _cpuAvailable, available - units, available);
            if (seen == available)
            {
                return true;
            }
            available = seen;
        }
        return false;
    }

    /// <summary>Takes the resources even if that overdraws them: a task that was blocked in Get resumes at once, as in Ray.</summary>
    public void ForceAcquire(ResourceRequest request) => Add(request, -1);

    public void Release(ResourceRequest request) => Add(request, +1);

    private void Add(ResourceRequest request, int sign)
    {
        if (request.CpuUnits != 0)
        {
            Interlocked.Add(ref _cpuAvailable, sign * request.CpuUnits);
        }
        if (request.Custom.Length != 0)
        {
            lock (_customLock)
            {
                foreach (var (index, units) in request.Custom)
                {
                    _customAvailable[index] += sign * units;
                }
            }
        }
    }

    public IReadOnlyDictionary<string, double> Snapshot(bool available)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [Cpu] = ResourceRequest.FromUnits(available ? Math.Max(0, Volatile.Read(ref _cpuAvailable)) : Volatile.Read(ref _cpuTotal)),
        };
        lock (_customLock)
        {
            for (var i = 0; i < _names.Length; i++)
            {
                result[_names[i]] = ResourceRequest.FromUnits(available ? Math.Max(0, _customAvailable[i]) : _customTotal[i]);
            }
        }
        return result;
    }

    private static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
