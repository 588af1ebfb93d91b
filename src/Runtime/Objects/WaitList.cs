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
    private static readonly WaitList<T> s_empty = new([], [], 0, null);

    // The items are a short head of this list's own, then a tail shared with the list this one was split from: the
    // loop takes the first ready ref, usually one of the first, so each call copies only the items before it, not
    // all the rest. A tail keeps the refs before its start alive; once they outnumber the live ones, it is copied.
    private readonly ObjectRef<T>[] _head;
    private readonly ObjectRef<T>[] _tail;
    private readonly int _tailStart;

    // The runtime every item belongs to, or null when they come from more than one (or there are none), so a
    // shut-down runtime is checked once per call rather than once per item.
    private readonly RayRuntime? _runtime;

    private WaitList(ObjectRef<T>[] head, ObjectRef<T>[] tail, int tailStart, RayRuntime? runtime)
    {
        _head = head;
        _tail = tail;
        _tailStart = tailStart;
        _runtime = runtime;
    }

    public int Count => _head.Length + _tail.Length - _tailStart;

    public ObjectRef<T> this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"The list has {Count} refs.");
            }
            return At(index);
        }
    }

    // The item at a position known to be in range: in the head, or past it in the tail.
    private ObjectRef<T> At(int index) => index < _head.Length ? _head[index] : _tail[_tailStart + index - _head.Length];

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
        return new WaitList<T>([], items, 0, runtime);
    }

    public void ThrowIfShutDown()
    {
        if (_runtime is not null)
        {
            _runtime.ThrowIfShutDown(this[0]);
            return;
        }
        foreach (var item in this)
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
        for (var i = 0; i < _head.Length && found < indexes.Length; i++)
        {
            if (_head[i].IsCompleted)
            {
                indexes[found++] = i;
            }
        }
        for (var i = _tailStart; i < _tail.Length && found < indexes.Length; i++)
        {
            if (_tail[i].IsCompleted)
            {
                indexes[found++] = _head.Length + i - _tailStart;
            }
        }
        return found;
    }

    /// <summary>The first item not yet completed, in list order; null if all are.</summary>
    public ObjectRef<T>? FirstPending()
    {
        foreach (var item in this)
        {
            if (!item.IsCompleted)
            {
                return item;
            }
        }
        return null;
    }

    public List<ObjectRef> Pending()
    {
        var pending = new List<ObjectRef>();
        foreach (var item in this)
        {
            if (!item.IsCompleted)
            {
                pending.Add(item);
            }
        }
        return pending;
    }

    /// <summary>
    /// Splits into the items at <paramref name="picked"/> (ascending positions) and the rest, each in order. The rest
    /// keeps this list's tail after the last picked item, and copies only the items before it.
    /// </summary>
    public (WaitList<T> Picked, WaitList<T> Others) Split(ReadOnlySpan<int> picked)
    {
        if (picked.IsEmpty)
        {
            return (s_empty, this);
        }
        var chosen = new ObjectRef<T>[picked.Length];
        for (var i = 0; i < picked.Length; i++)
        {
            chosen[i] = At(picked[i]);
        }
        // The new head: every item not picked up to the last picked one (and at least the old head); the tail after it.
        var copied = Math.Max(picked[^1] + 1, _head.Length);
        var tailStart = _tailStart + copied - _head.Length;
        var live = Count - picked.Length;
        if (live == 0)
        {
            return (new WaitList<T>([], chosen, 0, _runtime), s_empty);
        }
        if (tailStart > live)
        {
            // More refs already returned than still pending would be kept alive: start afresh, all in one tail.
            copied = Count;
            tailStart = _tail.Length;
        }
        var head = copied == picked.Length ? [] : new ObjectRef<T>[copied - picked.Length];
        int from = 0, to = 0;
        foreach (var at in picked)
        {
            to += CopyRange(from, at, head, to);
            from = at + 1;
        }
        CopyRange(from, copied, head, to);
        var rest = tailStart == _tail.Length
            ? new WaitList<T>([], head, 0, _runtime)
            : new WaitList<T>(head, _tail, tailStart, _runtime);
        return (new WaitList<T>([], chosen, 0, _runtime), rest);
    }

    // Copies this list's items [from, to) into target at offset; returns how many.
    private int CopyRange(int from, int to, ObjectRef<T>[] target, int offset)
    {
        for (var i = from; i < to; i++)
        {
            target[offset++] = At(i);
        }
        return to - from;
    }

    public IEnumerator<ObjectRef<T>> GetEnumerator()
    {
        foreach (var item in _head)
        {
            yield return item;
        }
        for (var i = _tailStart; i < _tail.Length; i++)
        {
            yield return _tail[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
