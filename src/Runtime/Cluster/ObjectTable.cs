using System.Collections.Concurrent;

namespace GenRay.Cluster;

/// <summary>
/// The refs of this process that other processes know about, by id, so a ref that comes back (in a value, an
/// argument, an ObjectReady) is the same instance, and so a process asking about an object can be answered.
/// Entries are weak unless pinned: a pinned ref (exported while pending, or a proxy waiting for its value) stays
/// until unpinned.
/// </summary>
internal sealed class ObjectTable
{
    private readonly ConcurrentDictionary<ObjectId, WeakReference<ObjectRef>> _weak = new();
    private readonly InFlight<ObjectId, ObjectRef> _pinned = new(); // an entry per task and call sent: see InFlight
    private int _sweepCountdown = 4096;

    public void Add(ObjectRef value, bool pin)
    {
        if (pin)
        {
            _pinned[value.Id] = value;
        }
        _weak[value.Id] = new WeakReference<ObjectRef>(value);
        if (Interlocked.Decrement(ref _sweepCountdown) <= 0)
        {
            Sweep();
        }
    }

    /// <summary>
    /// Holds a pending result until its answer arrives, without the weak entry <see cref="Add"/> also makes: once
    /// answered it is forgotten here. For the result of work sent to, or received from, another process, one per task
    /// or call: a weak reference is an object with a finalizer and a GC handle, which cost those paths more than all
    /// the rest of their bookkeeping (worker-submitted tasks ran 1.8x faster without). Nothing needs to find such a
    /// ref once answered: a process that sends it later sends its value with it, and one that still holds it pending
    /// is asked about it (<see cref="WorkerHandle.AwaitPush"/>). The driver keeps a weak entry for one whose value is
    /// held elsewhere, whose lineage rebuilds it if that holder dies.
    /// </summary>
    public void Pin(ObjectRef pending) => _pinned[pending.Id] = pending;

    public void Unpin(ObjectId id) => _pinned.TryRemove(id, out _);

    public bool IsPinned(ObjectId id) => _pinned.ContainsKey(id);

    public bool TryGet(ObjectId id, out ObjectRef value)
    {
        if (_pinned.TryGetValue(id, out value!))
        {
            return true;
        }
        if (_weak.TryGetValue(id, out var weak) && weak.TryGetTarget(out value!))
        {
            return true;
        }
        value = null!;
        return false;
    }

    public void Clear()
    {
        _weak.Clear();
        _pinned.Clear();
    }

    // Drops entries whose ref was collected, so the table does not grow with every ref ever shared.
    private void Sweep()
    {
        Volatile.Write(ref _sweepCountdown, Math.Max(4096, _weak.Count));
        foreach (var (id, weak) in _weak)
        {
            if (!weak.TryGetTarget(out _))
            {
                _weak.TryRemove(id, out _);
            }
        }
    }
}
