using System.Collections;

namespace GenRay;

/// <summary>
/// The lists <see cref="Ray.Wait{T}(IReadOnlyList{ObjectRef{T}}, int, TimeSpan?)"/> returns: immutable, and
/// distinct and non-null by construction. Ray's idiom feeds the rest back in (<c>ready, not_ready =
/// ray.wait(not_ready)</c>) once per result; checking a plain list for duplicates takes a hash set of all of
/// it, which made that loop quadratic in hashing. A list of this type was checked when it was first made.
/// </summary>
internal sealed class WaitList<T> : IReadOnlyList<ObjectRef<T>>
{
    private static readonly WaitList<T> s_empty = new([], null);

    private readonly ObjectRef<T>[] _items;

    // The runtime every item belongs to, or null when they come from more than one (or there are none), so a
    // shut-down runtime is checked once per call rather than once per item.
    private readonly RayRuntime? _runtime;

    private WaitList(ObjectRef<T>[] items, RayRuntime? runtime)
    {
        _items = items;
        _runtime = runtime;
    }

    public int Count => _items.Length;

    public ObjectRef<T> this[int index] => _items[index];

    /// <summary>The refs as they are when already checked; otherwise checked (non-null, distinct) and copied.</summary>
    public static WaitList<T> From(IReadOnlyList<ObjectRef<T>> refs)
    {
        if (refs is WaitList<T> list)
        {
            return list;
        }
        if (refs.Count == 0)
        {
            return s_empty;
        }
        var items = new ObjectRef<T>[refs.Count];
        var seen = new HashSet<ObjectRef>(items.Length, ReferenceEqualityComparer.Instance);
        var runtime = refs[0]?.Runtime;
        for (var i = 0; i < items.Length; i++)
        {
            var item = refs[i] ?? throw new ArgumentException($"refs[{i}] is null.", nameof(refs));
            if (!seen.Add(item))
            {
                throw new ArgumentException($"Ray.Wait needs distinct refs; {item} appears twice.", nameof(refs));
            }
            if (!ReferenceEquals(item.Runtime, runtime))
            {
                runtime = null;
            }
            items[i] = item;
        }
        return new WaitList<T>(items, runtime);
    }

    public void ThrowIfShutDown()
    {
        if (_runtime is not null)
        {
            _runtime.ThrowIfShutDown(_items[0]);
            return;
        }
        foreach (var item in _items)
        {
            item.Runtime.ThrowIfShutDown(item);
        }
    }

    /// <summary>
    /// Up to <paramref name="indexes"/>' length of the completed items, first ones first; writes their positions
    /// and returns how many it found. Stops at the last one needed, so the rest of a long list is not read.
    /// </summary>
    public int FindCompleted(Span<int> indexes)
    {
        var found = 0;
        for (var i = 0; i < _items.Length && found < indexes.Length; i++)
        {
            if (_items[i].IsCompleted)
            {
                indexes[found++] = i;
            }
        }
        return found;
    }

    public List<ObjectRef> Pending()
    {
        var pending = new List<ObjectRef>();
        foreach (var item in _items)
        {
            if (!item.IsCompleted)
            {
                pending.Add(item);
            }
        }
        return pending;
    }

    /// <summary>Splits into the items at <paramref name="picked"/> (ascending positions) and the rest, each in order.</summary>
    public (WaitList<T> Picked, WaitList<T> Others) Split(ReadOnlySpan<int> picked)
    {
        if (picked.IsEmpty)
        {
            return (s_empty, this);
        }
        var chosen = new ObjectRef<T>[picked.Length];
        var rest = new ObjectRef<T>[_items.Length - picked.Length];
        int from = 0, to = 0;
        for (var i = 0; i < picked.Length; i++)
        {
            var at = picked[i];
            chosen[i] = _items[at];
            Array.Copy(_items, from, rest, to, at - from); // the run between two picked items, in one copy
            to += at - from;
            from = at + 1;
        }
        Array.Copy(_items, from, rest, to, _items.Length - from);
        return (new WaitList<T>(chosen, _runtime), rest.Length == 0 ? s_empty : new WaitList<T>(rest, _runtime));
    }

    public IEnumerator<ObjectRef<T>> GetEnumerator() => ((IEnumerable<ObjectRef<T>>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
