using System.Diagnostics;

namespace GenRay;

/// <summary>
/// A reference to a <typeparamref name="T"/> that a remote task or actor call will produce, or that
/// <see cref="Ray.Put{T}(T)"/> stored: Ray's <c>ObjectRef</c>, typed. Pass it to any stub parameter of type
/// <typeparamref name="T"/> to make that call depend on it; read it with <see cref="Ray.Get{T}(ObjectRef{T}, TimeSpan?)"/>
/// or <c>await</c>.
/// </summary>
/// <example>
/// <code>
/// ObjectRef&lt;int&gt; a = Work.Remote.Add(1, 2);
/// ObjectRef&lt;int&gt; b = Work.Remote.Add(a, 3);   // runs after a, receives its value
/// int six = await b;
/// </code>
/// </example>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class ObjectRef<T> : ObjectRef
{
    private T _value = default!;

    internal ObjectRef(RayRuntime runtime, ObjectKind kind) : base(runtime, kind)
    {
    }

    internal ObjectRef(RayRuntime runtime, ObjectId id) : base(runtime, id)
    {
    }

    /// <summary>Gets an awaiter, so <c>await objectRef</c> gives the value (or throws the remote's error).</summary>
    public new ObjectRefAwaiter<T> GetAwaiter() => new(this);

    internal bool TrySetResult(T value)
    {
        if (!TryClaim())
        {
            return false;
        }
        _value = value;
        PublishSucceeded();
        return true;
    }

    /// <summary>The value once complete; throws the stored error. Callers have checked completion.
    /// A value held by another process is fetched here, once.</summary>
    internal T GetCompletedResult()
    {
        Debug.Assert(IsCompleted);
        ThrowIfFailed();
        if (Remote is not null)
        {
            Load();
        }
        return _value;
    }

    private void Load()
    {
        lock (this)
        {
            if (Remote is not { } location)
            {
                return;
            }
            using (var fetched = Runtime.Fetch(location, Id))
            {
                _value = Runtime.DeserializeValue<T>(fetched.Bytes, this);
            }
            ForgetRemote();
        }
    }

    internal override bool TrySetFromWire(System.Buffers.ReadOnlySequence<byte> bytes)
    {
        T value;
        try
        {
            value = Runtime.DeserializeValue<T>(bytes, this);
        }
        catch (RayException error)
        {
            return TrySetException(error);
        }
        return TrySetResult(value);
    }

    internal override void WriteValue(ref MessagePack.MessagePackWriter writer) =>
        Serialization.WireOptions.Formatter<T>().Serialize(ref writer, GetCompletedResult(), Serialization.WireOptions.Instance);

    internal T Get(TimeSpan? timeout)
    {
        Runtime.ThrowIfShutDown(this);
        if (!WaitCompleted(timeout))
        {
            throw Timeout(timeout!.Value);
        }
        return GetCompletedResult();
    }
}
