using System.Globalization;

namespace GenRay.Cluster.Nodes;

/// <summary>
/// What a job's processes hold, for the head's object directory (<c>genray list objects</c>): the driver's own
/// store, then each live worker's, asked in parallel. Results small enough to travel inside their result message
/// (<see cref="ClusterWireContext.InlineLimit"/>) are kept by the driver as plain values, in no store, so they are
/// not listed; Ray's <c>ray list objects</c> likewise leaves out what its owners keep in process memory.
/// </summary>
internal static class JobObjects
{
    // Short against the report's 1 s period: a slow or dead worker is left out of this report rather than delaying it.
    private static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(500);

    public static List<ObjectInfo> Collect(NodeServer driver, IReadOnlyList<WorkerHandle> workers, string jobId)
    {
        var objects = driver.Store.Snapshot(HeldObjects.Limit).Select(o => new ObjectInfo(o.Id.ToString(), o.Size, null, "driver", jobId)).ToList();
        var live = workers.Where(w => !w.IsLost).ToList();
        var asks = live.Select(w => driver.HeldByAsync(w.Address, Deadline)).ToArray();
        var all = Task.WhenAll(asks);
        try
        {
            // Each ask gives up at its deadline; this bound covers one stuck before its deadline could apply.
            all.Wait(Deadline * 2);
        }
        catch (AggregateException)
        {
            // An ask failed in a way HeldByAsync does not foresee: its worker is left out, like a silent one.
        }
        for (var i = 0; i < live.Count && objects.Count < HeldObjects.Limit; i++)
        {
            if (asks[i].IsCompletedSuccessfully && asks[i].Result is { } held)
            {
                var worker = live[i];
                var holder = worker.Pid.ToString(CultureInfo.InvariantCulture);
                objects.AddRange(held.Take(HeldObjects.Limit - objects.Count)
                    .Select(o => new ObjectInfo(o.Id.ToString(), o.Size, worker.Node?.Id, holder, jobId)));
            }
        }
        return objects;
    }
}
