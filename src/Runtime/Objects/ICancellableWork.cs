namespace GenRay;

/// <summary>Work that <see cref="Ray.Cancel"/> can stop: a task or a queued actor call.</summary>
internal interface ICancellableWork
{
    void Cancel(bool force);
}
