using GenRay.Cluster;

namespace GenRay.Tests.Workers;

/// <summary>The tables of work sent and not yet answered (one entry per task and actor call on each side).</summary>
public sealed class InFlightTests
{
    [Fact]
    public void Work_is_found_by_its_id_until_it_is_taken_out_once()
    {
        var table = new InFlight<string>();
        table[1] = "one";
        table[2] = "two";

        Assert.True(table.TryGetValue(2, out var two));
        Assert.Equal("two", two);
        Assert.True(table.TryRemove(1, out var one));
        Assert.Equal("one", one);
        Assert.False(table.TryRemove(1, out _)); // an answer that comes twice is taken once
        Assert.False(table.TryGetValue(1, out _));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void What_is_in_flight_can_be_gone_through_while_answers_take_it_out()
    {
        var table = new InFlight<string>();
        for (var i = 0; i < 100; i++)
        {
            table[i] = $"call {i}";
        }

        var seen = 0;
        foreach (var (id, call) in table.Entries())
        {
            Assert.Equal($"call {id}", call);
            table.TryRemove(id, out _); // as a worker's death fails each call in flight
            seen++;
        }

        Assert.Equal(100, seen);
        Assert.Equal(0, table.Count);
        Assert.Empty(table.Ids());
        Assert.Empty(table.Items());
    }

    [Fact]
    public void Entries_taken_out_leave_room_that_new_ones_reuse_without_allocating()
    {
        var table = new InFlight<string>();
        const string work = "work";
        for (var i = 0; i < 1000; i++)
        {
            table[i] = work;
        }
        for (var i = 0; i < 1000; i++)
        {
            table.TryRemove(i, out _);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 1000; i < 2000; i++)
        {
            table[i] = work;
            table.TryRemove(i, out _);
        }

        // A ConcurrentDictionary allocates a node per entry: ~48 KB for these thousand.
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1000, "an entry per task or call allocated");
    }
}
