using GenRay.Cluster;

namespace GenRay.Tests.Workers;

/// <summary>
/// The tables of work sent and not yet answered, and of refs held until answered (one entry per task and actor call
/// on each side).
/// </summary>
public sealed class InFlightTests
{
    [Fact]
    public void Work_is_found_by_its_id_until_it_is_taken_out_once()
    {
        var table = new InFlight<long, string>();
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
        var table = new InFlight<long, string>();
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
        var table = new InFlight<long, string>();
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

    [Fact]
    public void Refs_held_until_answered_are_found_by_object_id_and_reuse_their_room()
    {
        // Keyed by ObjectId, as a process's pins are: ids of one owner differ in their sequence, and a task's
        // result and a put of the same sequence are different objects.
        var table = new InFlight<ObjectId, string>();
        const ulong owner = 0x5eed_0000_0000_0001;
        table[new ObjectId(owner, 7, ObjectKind.TaskReturn)] = "result";

        Assert.True(table.ContainsKey(new ObjectId(owner, 7, ObjectKind.TaskReturn)));
        Assert.False(table.ContainsKey(new ObjectId(owner, 7, ObjectKind.Put)));
        Assert.False(table.ContainsKey(new ObjectId(owner + 1, 7, ObjectKind.TaskReturn)));
        Assert.True(table.TryRemove(new ObjectId(owner, 7, ObjectKind.TaskReturn), out var held));
        Assert.Equal("result", held);

        for (ulong i = 0; i < 1000; i++)
        {
            table[new ObjectId(owner, i, ObjectKind.TaskReturn)] = "pending";
        }
        table.Clear();
        Assert.Equal(0, table.Count);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (ulong i = 1000; i < 2000; i++)
        {
            var id = new ObjectId(owner, i, ObjectKind.TaskReturn);
            table[id] = "pending";
            table.TryRemove(id, out _);
        }

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1000, "an entry per pinned ref allocated");
    }
}
