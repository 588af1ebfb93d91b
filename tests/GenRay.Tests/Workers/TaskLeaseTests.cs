using GenRay.Cluster;
using GenRay.Scheduling;

namespace GenRay.Tests.Workers;

/// <summary>
/// A worker's lease on a task's resources: tasks attach to it up to a depth, and the resources go back exactly once,
/// when the last task leaves or the worker is lost.
/// </summary>
public sealed class TaskLeaseTests
{
    private static TaskLease Open() => new(1, null!, new ResourceRequest(1, []));

    [Fact]
    public void Tasks_attach_up_to_the_depth_and_the_last_to_leave_ends_the_lease()
    {
        var lease = Open(); // the admitted task that opens it

        Assert.True(lease.TryAttach(3));
        Assert.True(lease.TryAttach(3));
        Assert.False(lease.TryAttach(3)); // three deep: the next task waits for the node
        Assert.Equal(3, lease.Attached);

        Assert.False(lease.Detach());
        Assert.False(lease.Detach());
        Assert.False(lease.IsEnded);
        Assert.True(lease.Detach()); // the last one: its resources go back
        Assert.True(lease.IsEnded);

        Assert.False(lease.TryAttach(3)); // an ended lease takes no more work
        Assert.False(lease.Detach());     // nor gives its resources back twice
        Assert.False(lease.End());
    }

    [Fact]
    public void A_lost_worker_ends_the_lease_once_whatever_is_attached()
    {
        var lease = Open();
        Assert.True(lease.TryAttach(10));

        Assert.True(lease.End());
        Assert.False(lease.End());
        Assert.False(lease.Detach()); // the tasks still attached fail over; the resources went back with End
        Assert.False(lease.TryAttach(10));
        Assert.True(lease.IsEnded);
    }

    [Fact]
    public void Tasks_attaching_and_leaving_from_many_threads_end_the_lease_exactly_once()
    {
        for (var round = 0; round < 20; round++)
        {
            var lease = Open();
            var ends = 0;
            var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
            {
                for (var i = 0; i < 10_000; i++)
                {
                    if (lease.TryAttach(8) && lease.Detach())
                    {
                        Interlocked.Increment(ref ends);
                    }
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            Assert.Equal(0, ends); // the opening task is still attached: nobody else can end it
            Assert.Equal(1, lease.Attached);
            Assert.True(lease.Detach());
            Assert.True(lease.IsEnded);
        }
    }

    [Fact]
    public void The_open_lease_table_forgets_a_request_once_its_last_lease_closes()
    {
        // A call made with options of its own holds a request of its own: the driver's table must not keep one
        // entry per such call for as long as it runs.
        var table = new LeaseTable();
        for (var i = 0; i < 1000; i++)
        {
            var request = new ResourceRequest(1, []);
            var first = table.Open(null!, request);
            var second = table.Open(null!, request);
            table.Close(first);
            Assert.Equal(1, table.OpenRequests); // the second lease is still open
            table.Close(second);
        }

        Assert.Equal(0, table.OpenRequests);
    }
}
