using GenRay.Tests.Support;

namespace GenRay.Tests.Tasks;

/// <summary>Objects: Put, ids, and memory released once no ref reaches an object.</summary>
public abstract class ObjectTests : RayTest
{

    [Fact]
    public void Put_stores_a_value_that_tasks_receive()
    {
        Start();
        var values = Enumerable.Range(1, 1000).ToArray();

        var stored = Ray.Put(values);

        Assert.Equal(values, Ray.Get(stored));
        Assert.Equal(500500, Ray.Get(TaskRemotes.Remote.Sum(stored)));
    }

    [Fact]
    public void Ids_print_like_rays_object_ids_and_parse_back()
    {
        Start();
        var refs = Enumerable.Range(0, 1000).Select(i => TaskRemotes.Remote.Echo(i)).ToList();
        var put = Ray.Put("x");

        var ids = refs.Select(r => r.Id.ToString()).ToList();

        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{40}$", id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(refs, r => Assert.Equal(r.Id, ObjectId.Parse(r.Id.ToString())));
        Assert.Equal(refs[0].Id.ToString(), refs[0].Id.ToString());
        Assert.EndsWith("01000000", ids[0]);
        Assert.EndsWith("00000000", put.Id.ToString());
        Assert.Equal($"ObjectRef({refs[0].Id})", refs[0].ToString());
        Assert.Throws<FormatException>(() => ObjectId.Parse("not an id"));
    }

    [Fact]
    public void Refs_are_equal_by_id()
    {
        Start();
        var a = TaskRemotes.Remote.Echo(1);
        var b = TaskRemotes.Remote.Echo(1);

        Assert.Equal(a, a);
        Assert.NotEqual(a, b);
        Assert.Single(new HashSet<ObjectRef> { a, a });
    }

    [Fact]
    public void An_object_is_freed_once_no_ref_reaches_it()
    {
        Start();
        var weak = PutAndForget();

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(weak.IsAlive);

        static WeakReference PutAndForget()
        {
            var value = new int[1 << 18];
            var stored = Ray.Put(value);
            Assert.Equal(0, Ray.Get(TaskRemotes.Remote.Sum(stored)));
            return new WeakReference(value);
        }
    }

    [Fact]
    public void A_million_submitted_and_collected_tasks_do_not_grow_memory()
    {
        Start();
        // Across processes every task is a network round trip: a tenth as many keeps the suite quick there.
        var total = InProcess ? 1_000_000 : 100_000;
        RunBatches(10_000); // warm up: pool threads, JIT, the scheduler's queue capacity
        var before = Settled();

        RunBatches(total);

        var growth = Settled() - before;
        Assert.True(growth < 16 << 20, $"memory grew by {growth / (1 << 20)} MiB after {total} tasks");

        static void RunBatches(int total)
        {
            for (var done = 0; done < total; done += 1000)
            {
                var batch = new ObjectRef<int>[1000];
                for (var i = 0; i < batch.Length; i++)
                {
                    batch[i] = TaskRemotes.Remote.Echo(i);
                }
                Ray.Get(batch);
            }
        }

        static long Settled()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return GC.GetTotalMemory(forceFullCollection: true);
        }
    }
}

public sealed class ObjectTestsInProcess : ObjectTests
{
}

public sealed class ObjectTestsWorkers : ObjectTests
{
    protected override void Configure(RayOptions options) => options.WorkerProcesses = 2;
}
