using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace GenRay;

/// <summary>Awaits an <see cref="ObjectRef"/>; returned by <see cref="ObjectRef.GetAwaiter"/>.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct ObjectRefAwaiter : ICriticalNotifyCompletion
{
    private readonly ObjectRef _target;

    internal ObjectRefAwaiter(ObjectRef target) => _target = target;

    /// <summary>True once the object is ready (or failed).</summary>
    public bool IsCompleted => _target.IsCompleted;

    /// <summary>Throws the remote's error, if any.</summary>
    public void GetResult()
    {
        _target.Runtime.ThrowIfShutDown(_target);
        if (!_target.IsCompleted)
        {
            _target.WaitCompleted(null);
        }
        _target.ThrowIfFailed();
    }

    /// <inheritdoc />
    public void OnCompleted(Action continuation) => AwaitContinuation.OnCompleted(_target, continuation);

    /// <inheritdoc />
    public void UnsafeOnCompleted(Action continuation) => AwaitContinuation.UnsafeOnCompleted(_target, continuation);
}

/// <summary>Awaits an <see cref="ObjectRef{T}"/>; returned by <see cref="ObjectRef{T}.GetAwaiter"/>.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct ObjectRefAwaiter<T> : ICriticalNotifyCompletion
{
    private readonly ObjectRef<T> _target;

    internal ObjectRefAwaiter(ObjectRef<T> target) => _target = target;

    /// <summary>True once the object is ready (or failed).</summary>
    public bool IsCompleted => _target.IsCompleted;

    /// <summary>The value, or the remote's error thrown.</summary>
    public T GetResult() => _target.Get(null);

    /// <inheritdoc />
    public void OnCompleted(Action continuation) => AwaitContinuation.OnCompleted(_target, continuation);

    /// <inheritdoc />
    public void UnsafeOnCompleted(Action continuation) => AwaitContinuation.UnsafeOnCompleted(_target, continuation);
}
