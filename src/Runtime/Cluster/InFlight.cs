using System.Diagnostics.CodeAnalysis;

namespace GenRay.Cluster;

/// <summary>
/// Work sent and not yet answered, or refs held until answered, by id. A lock around a
/// <see cref="Dictionary{TKey, TValue}"/>, not a <see cref="System.Collections.Concurrent.ConcurrentDictionary{TKey, TValue}"/>:
/// that allocates a node per entry, and these tables take an entry per task and actor call on both sides of the
/// wire (a tenth of the driver's and the workers' allocations); a dictionary reuses its freed entries. The lock is
/// held for a lookup only.
/// </summary>
internal sealed class InFlight<TKey, T>
    where TKey : notnull
{
    private readonly Dictionary<TKey, T> _items = [];
    private readonly Lock _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    public T this[TKey id]
    {
        set
        {
            lock (_gate)
            {
                _items[id] = value;
            }
        }
    }

    public bool ContainsKey(TKey id)
    {
        lock (_gate)
        {
            return _items.ContainsKey(id);
        }
    }

    public bool TryGetValue(TKey id, [MaybeNullWhen(false)] out T item)
    {
        lock (_gate)
        {
            return _items.TryGetValue(id, out item);
        }
    }

    public bool TryRemove(TKey id, [MaybeNullWhen(false)] out T item)
    {
        lock (_gate)
        {
            return _items.Remove(id, out item);
        }
    }

    /// <summary>The ids in flight now (a copy: the table may change as the caller goes through it).</summary>
    public TKey[] Ids()
    {
        lock (_gate)
        {
            return [.. _items.Keys];
        }
    }

    /// <summary>The work in flight now (a copy).</summary>
    public T[] Items()
    {
        lock (_gate)
        {
            return [.. _items.Values];
        }
    }

    /// <summary>Ids and work in flight now (a copy).</summary>
    public KeyValuePair<TKey, T>[] Entries()
    {
        lock (_gate)
        {
            return [.. _items];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _items.Clear();
        }
    }
}
