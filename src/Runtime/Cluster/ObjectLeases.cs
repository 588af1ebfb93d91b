using System.Collections.Concurrent;

namespace GenRay.Cluster;

/// <summary>
/// Releases of remote values, batched per holder and sent from a background flush, because they come from
/// finalizers (which must not block or do I/O).
/// </summary>
internal sealed class ObjectLeases
{
    private readonly ConcurrentQueue<(string Holder, ObjectId Id)> _released = new();
    private readonly Action<string, IReadOnlyList<ObjectId>> _send;
    private readonly Timer _timer;
    private int _flushing;

    public ObjectLeases(Action<string, IReadOnlyList<ObjectId>> send)
    {
        _send = send;
        _timer = new Timer(_ => Flush(), null, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200));
    }

    public void Release(string holder, ObjectId id) => _released.Enqueue((holder, id));

    public void Flush()
    {
        if (Interlocked.Exchange(ref _flushing, 1) != 0)
        {
            return;
        }
        try
        {
            var byHolder = new Dictionary<string, List<ObjectId>>();
            while (_released.TryDequeue(out var item))
            {
                if (!byHolder.TryGetValue(item.Holder, out var ids))
                {
                    byHolder[item.Holder] = ids = [];
                }
                ids.Add(item.Id);
            }
            foreach (var (holder, ids) in byHolder)
            {
                try
                {
                    _send(holder, ids);
                }
                catch (Exception)
                {
                    // The holder is gone: its values went with it.
                }
            }
        }
        finally
        {
            Volatile.Write(ref _flushing, 0);
        }
    }

    public void Stop() => _timer.Dispose();
}
