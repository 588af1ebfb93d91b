using System.Diagnostics.CodeAnalysis;

namespace GenRay.Cluster;

/// <summary>
/// Work sent and not yet answered, by id. A lock around a <see cref="Dictionary{TKey, TValue}"/>, not a
/// <see cref="System.Collections.Concurrent.ConcurrentDictionary{TKey, TValue}"/>: that allocates a node per entry,
/// and these tables take an entry per task and actor call on both sides of the wire (a tenth of the driver's and
/// the workers' allocations); a dictionary reuses its freed entries. The lock is held for a lookup only.
/// </summary>
internal sealed class InFlight<T>
    where T : class
{
    private readonly Dictionary<long, T> _items = [];

    public int Count
    {
        get
        {
            lock (_items)
            {
                return _items.Count;
            }
        }
    }

    public T this[long id]
    {
        set
        {
            lock (_items)
            {
                _items[id] = value;
            }
        }
    }

    public bool TryGetValue(long id, [MaybeNullWhen(false)] out T item)
    {
        lock (_items)
        {
            return _items.TryGetValue(id, out item);
        }
    }

    public bool TryRemove(long id, [MaybeNullWhen(false)] out T item)
    {
        lock (_items)
        {
            return _items.Remove(id, out item);
        }
    }

    /// <summary>The ids in flight now (a copy: the table may change as the caller goes through it).</summary>
    public long[] Ids()
    {
        lock (_items)
        {
            return [.. _items.Keys];
        }
    }

    /// <summary>The work in flight now (a copy).</summary>
    public T[] Items()
    {
        lock (_items)
        {
            return [.. _items.Values];
        }
    }

    /// <summary>Ids and work in flight now (a copy).</summary>
    public KeyValuePair<long, T>[] Entries()
    {
        lock (_items)
        {
            return [.. _items];
        }
    }
}
