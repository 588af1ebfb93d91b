using GenRay.Cluster.Nodes;

namespace GenRay.Tests.Cluster;

/// <summary>A node's book of grants across jobs, without processes: first come first granted, returns, expiry, refusals.</summary>
public sealed class NodeLedgerTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    private readonly ManualClock _clock = new();
    private readonly NodeLedger _ledger;

    public NodeLedgerTests() => _ledger = new NodeLedger(new Dictionary<string, double> { ["CPU"] = 2, ["gpu"] = 1 }, _clock);

    [Fact]
    public async Task Grants_what_is_free_at_once_and_refuses_what_the_node_could_never_hold()
    {
        Assert.True((await Acquire("job-a", 1)).Granted);
        Assert.True((await Acquire("job-b", 1, gpu: 1)).Granted);
        Assert.Empty(_ledger.Free()); // only what is free is listed

        var tooMany = await Assert.ThrowsAsync<RayException>(() => Acquire("job-c", 3));
        Assert.Contains("could never be granted", tooMany.Message);
        Assert.Contains("CPU=2", tooMany.Message);
        var unknown = await Assert.ThrowsAsync<RayException>(() => _ledger.AcquireAsync(new GrantRequest("job-c", new() { ["tpu"] = 1 }), Long));
        Assert.Contains("could never be granted", unknown.Message);
    }

    [Fact]
    public async Task Waiting_requests_are_granted_in_arrival_order_across_jobs_and_holders_hear_others_wait()
    {
        Assert.True((await Acquire("job-a", 2)).Granted);
        var big = Acquire("job-b", 2);
        var small = Acquire("job-c", 1);
        await Task.Delay(50);
        Assert.False(big.IsCompleted);

        Assert.True(_ledger.Renew(new RenewRequest("job-a")).Contended); // others wait for what it holds
        Assert.True(_ledger.Renew(new RenewRequest("job-b")).Contended);
        _ledger.Return(new GrantRequest("job-a", new() { ["CPU"] = 1 }));
        await Task.Delay(100);
        Assert.False(big.IsCompleted); // it does not fit yet...
        Assert.False(small.IsCompleted); // ...and what came after it waits behind it, though it would fit

        _ledger.Return(new GrantRequest("job-a", new() { ["CPU"] = 1 }));
        var granted = await big.WaitAsync(Long);
        Assert.True(granted.Granted);
        Assert.True(granted.Contended); // job-c still waits
        Assert.False(small.IsCompleted);
        Assert.Equal(2, _ledger.HeldBy("job-b")["CPU"]);

        _ledger.Return(new GrantRequest("job-b", new() { ["CPU"] = 2 }));
        var last = await small.WaitAsync(Long);
        Assert.True(last.Granted);
        Assert.False(last.Contended); // nobody waits any more
        Assert.Equal(1, _ledger.Free()["CPU"]);
        Assert.False(_ledger.Renew(new RenewRequest("job-a")).Contended);
    }

    [Fact]
    public async Task A_request_that_waits_past_the_long_poll_is_not_granted_and_leaves_the_queue()
    {
        Assert.True((await Acquire("job-a", 2)).Granted);
        var waited = await _ledger.AcquireAsync(new GrantRequest("job-b", new() { ["CPU"] = 1 }), TimeSpan.FromMilliseconds(200));
        Assert.False(waited.Granted);

        _ledger.Return(new GrantRequest("job-a", new() { ["CPU"] = 2 }));
        Assert.Equal(2, _ledger.Free()["CPU"]); // nothing was granted to the request that gave up
        Assert.Empty(_ledger.HeldBy("job-b"));
    }

    [Fact]
    public async Task A_job_returns_no_more_than_it_holds()
    {
        Assert.True((await Acquire("job-a", 1)).Granted);
        _ledger.Return(new GrantRequest("job-a", new() { ["CPU"] = 2 }));
        _ledger.Return(new GrantRequest("job-z", new() { ["CPU"] = 1 })); // holds nothing here
        Assert.Equal(2, _ledger.Free()["CPU"]);
    }

    [Fact]
    public async Task Grants_not_renewed_expire_and_go_to_the_job_waiting()
    {
        Assert.True((await Acquire("job-a", 1)).Granted);
        Assert.True((await Acquire("job-b", 1)).Granted);

        _clock.Advance(TimeSpan.FromSeconds(6));
        _ledger.Renew(new RenewRequest("job-b"));
        var waiting = Acquire("job-c", 2);
        _clock.Advance(TimeSpan.FromSeconds(5)); // job-a silent for 11 s, job-b for 5
        _ledger.Expire();

        Assert.Empty(_ledger.HeldBy("job-a"));
        Assert.Equal(1, _ledger.HeldBy("job-b")["CPU"]);
        Assert.False(waiting.IsCompleted); // job-b's CPU is still held

        _clock.Advance(TimeSpan.FromSeconds(6)); // job-b silent for 11 s
        _ledger.Renew(new RenewRequest("job-c")); // as its driver does every second while it waits
        _ledger.Expire();
        Assert.True((await waiting.WaitAsync(Long)).Granted);
        Assert.Equal(2, _ledger.HeldBy("job-c")["CPU"]);
    }

    [Fact]
    public async Task Ending_a_job_gives_back_what_it_holds_and_ends_its_waiting()
    {
        Assert.True((await Acquire("job-a", 1)).Granted);
        var more = Acquire("job-a", 2);
        var other = Acquire("job-b", 2);
        await Task.Delay(50);

        _ledger.EndJob("job-a");

        Assert.False((await more.WaitAsync(Long)).Granted);
        Assert.True((await other.WaitAsync(Long)).Granted);
        Assert.Empty(_ledger.HeldBy("job-a"));
    }

    private Task<GrantReply> Acquire(string job, double cpus, double gpu = 0)
    {
        var amounts = new Dictionary<string, double> { ["CPU"] = cpus };
        if (gpu > 0)
        {
            amounts["gpu"] = gpu;
        }
        return _ledger.AcquireAsync(new GrantRequest(job, amounts), Long);
    }

    /// <summary>Time that moves only when told: renewals and expiry without waiting seconds (long polls still wait in real time).</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
