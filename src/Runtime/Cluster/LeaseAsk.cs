using GenRay.Internal;
using GenRay.Scheduling;

namespace GenRay.Cluster;

/// <summary>
/// A worker's ask for a lease of its own (<see cref="OwnLeases"/>), waiting in the node's queue like a task of the
/// method would: admitted, its resources become a lease held for the worker until it gives the lease back.
/// </summary>
internal sealed class LeaseAsk(WorkerHandle worker, RemoteMethod method, ResourceRequest request, LeaseTable leases, ResourceScheduler scheduler) : ISchedulable
{
    public ResourceRequest Request => request;

    public void Start()
    {
        if (worker.IsLost)
        {
            scheduler.Release(request); // nobody to hold it for
            return;
        }
        worker.Grant(leases.OpenOwn(worker, request), method);
    }

    public void Reject(Exception reason) => worker.RefuseLease(method.Id, reason.Message);
}
