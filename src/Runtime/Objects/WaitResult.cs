namespace GenRay;

/// <summary>
/// What <see cref="Ray.Wait{T}(IReadOnlyList{ObjectRef{T}}, int, TimeSpan?)"/> found: the refs that are ready
/// (at most the number asked for) and the rest, each in the order they were given.
/// </summary>
/// <example>
/// <code>
/// var (ready, notReady) = Ray.Wait(refs, numReturns: 2);
/// </code>
/// </example>
public sealed class WaitResult<T>
{
    internal WaitResult(IReadOnlyList<ObjectRef<T>> ready, IReadOnlyList<ObjectRef<T>> notReady)
    {
        Ready = ready;
        NotReady = notReady;
    }

    /// <summary>Refs whose objects are ready (or failed), in input order.</summary>
    public IReadOnlyList<ObjectRef<T>> Ready { get; }

    /// <summary>The other refs, in input order.</summary>
    public IReadOnlyList<ObjectRef<T>> NotReady { get; }

    /// <summary>Splits into <c>(ready, notReady)</c>, like Ray's tuple.</summary>
    public void Deconstruct(out IReadOnlyList<ObjectRef<T>> ready, out IReadOnlyList<ObjectRef<T>> notReady)
    {
        ready = Ready;
        notReady = NotReady;
    }
}
