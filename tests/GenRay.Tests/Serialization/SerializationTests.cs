using GenRay.Tests.Support;

namespace GenRay.Tests.Serialization;

/// <summary>
/// Every supported shape makes the round trip through the wire format (strict serialization is on in this
/// suite) and comes back equal; what cannot cross a process fails with a clear error.
/// </summary>
public abstract class SerializationTests : RayTest
{
    [Fact]
    public void Records_classes_and_structs_round_trip()
    {
        Start();
        var job = new Job("build", 3, ["ci", "fast"]);
        var settings = new Settings
        {
            Title = "t", Ratio = 0.25, Color = Color.Blue, Counts = [1, 2, 3],
            Jobs = { ["a"] = job },
        };

        var jobBack = Ray.Get(Shapes.Remote.EchoJob(job));
        var settingsBack = Ray.Get(Shapes.Remote.EchoSettings(settings));

        Assert.Equal(job.Name, jobBack.Name);
        Assert.Equal(job.Tags, jobBack.Tags);
        Assert.NotSame(job, jobBack); // a copy, as another process would get
        Assert.Equal("t", settingsBack.Title);
        Assert.Equal(0.25, settingsBack.Ratio);
        Assert.Equal(Color.Blue, settingsBack.Color);
        Assert.Equal([1, 2, 3], settingsBack.Counts);
        Assert.Equal(3, settingsBack.Computed);
        Assert.Equal(["ci", "fast"], settingsBack.Jobs["a"].Tags);
        Assert.Equal(new Point(4, 5), Ray.Get(Shapes.Remote.EchoPoint(new Point(4, 5))));
        Assert.Equal(new Point(1, 2), Ray.Get(Shapes.Remote.EchoMaybePoint(new Point(1, 2))));
        Assert.Null(Ray.Get(Shapes.Remote.EchoMaybePoint((Point?)null)));
        Assert.Equal(Color.Green, Ray.Get(Shapes.Remote.EchoColor(Color.Green)));
        var generic = Ray.Get(Shapes.Remote.EchoGeneric(new Pair<int, Job?>(7, null)));
        Assert.Equal(7, generic.Left);
        Assert.Null(generic.Right);
    }

    [Fact]
    public void Arrays_of_every_rank_round_trip()
    {
        Start();
        var doubles = Enumerable.Range(0, 10_000).Select(i => i * 0.5).ToArray();
        var matrix = new long[3, 4];
        var cube = new float[2, 3, 4];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                matrix[i, j] = (i * 10) + j;
            }
        }
        cube[1, 2, 3] = 1.5f;
        var grid = new Job[2, 1];
        grid[1, 0] = new Job("x", 1, []);

        Assert.Equal(doubles, Ray.Get(Shapes.Remote.EchoDoubles(doubles)));
        Assert.Equal(matrix, Ray.Get(Shapes.Remote.EchoMatrix(matrix)));
        Assert.Equal(cube, Ray.Get(Shapes.Remote.EchoCube(cube)));
        Assert.Equal(new[] { new[] { "a" }, new[] { "b", "c" } }, Ray.Get(Shapes.Remote.EchoJagged(new[] { new[] { "a" }, new[] { "b", "c" } })));
        var gridBack = Ray.Get(Shapes.Remote.EchoJobGrid(grid));
        Assert.Null(gridBack[0, 0]);
        Assert.Equal("x", gridBack[1, 0].Name);
        Assert.Equal(new byte[] { 1, 2, 255 }, Ray.Get(Shapes.Remote.EchoBytes(new byte[] { 1, 2, 255 })));
        Assert.Empty(Ray.Get(Shapes.Remote.EchoDoubles(Array.Empty<double>())));
    }

    [Fact]
    public void Collections_tuples_and_scalars_round_trip()
    {
        Start();
        var map = new Dictionary<Color, List<Point>> { [Color.Red] = [new Point(1, 1)], [Color.Blue] = [] };
        var set = new HashSet<Guid> { Guid.NewGuid(), Guid.NewGuid() };
        var when = new DateTimeOffset(2026, 11, 26, 1, 2, 3, TimeSpan.FromHours(2));

        var mapBack = Ray.Get(Shapes.Remote.EchoDictionary(map));
        Assert.Equal(map[Color.Red], mapBack[Color.Red]);
        Assert.Empty(mapBack[Color.Blue]);
        Assert.Equal(set, Ray.Get(Shapes.Remote.EchoSet(set)));
        Assert.Equal([1.5m, -2m], Ray.Get(Shapes.Remote.EchoReadOnlyList(new List<decimal> { 1.5m, -2m })));
        Assert.Equal(new Dictionary<string, int?> { ["a"] = 1, ["b"] = null },
            Ray.Get(Shapes.Remote.EchoInterfaceDictionary(new Dictionary<string, int?> { ["a"] = 1, ["b"] = null })));
        Assert.Equal(new KeyValuePair<string, DateTime>("k", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
            Ray.Get(Shapes.Remote.EchoPair(new KeyValuePair<string, DateTime>("k", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)))));
        Assert.Equal((1, "two", 3.0), Ray.Get(Shapes.Remote.EchoTuple((1, "two", 3.0))));
        Assert.Equal(Tuple.Create(1, "x"), Ray.Get(Shapes.Remote.EchoOldTuple(Tuple.Create(1, "x"))));
        var scalars = (when, TimeSpan.FromMinutes(3), Guid.NewGuid(), 'z', true);
        Assert.Equal(scalars, Ray.Get(Shapes.Remote.EchoScalars(scalars)));
    }

    [Fact]
    public void Refs_and_handles_nested_in_values_reach_the_same_objects_and_actors()
    {
        Start();
        var store = Store.Remote.New(100);
        var envelope = new Envelope(Ray.Put(20), store, [Ray.Put("abc"), Shapes.Remote.Describe(new Animal { Name = "xy" })]);

        Assert.Equal(125, Ray.Get(Shapes.Remote.OpenEnvelope(envelope)));
    }

    [Fact]
    public void A_derived_instance_passed_as_its_base_type_is_refused_not_truncated()
    {
        Start();

        // Refused where it is serialized: at the call in-process (strict), when sending it to a worker otherwise.
        var error = Assert.ThrowsAny<RayException>(() => Ray.Get(Shapes.Remote.Describe(new Dog { Name = "rex", GoodBoy = true })));

        Assert.Contains("declared type Animal", error.Message);
        Assert.Contains("Dog", error.Message);
        Assert.Equal("rex", Ray.Get(Shapes.Remote.Describe(new Animal { Name = "rex" })));
    }

    [Fact]
    public void Strict_serialization_passes_copies_and_without_it_in_process_shares_instances()
    {
        Start();
        Shapes.Shared = [1, 2, 3];

        Assert.False(Ray.Get(Shapes.Remote.IsSame(Shapes.Shared)));
        Assert.False(Ray.Get(Shapes.Remote.IsSame(Ray.Put(Shapes.Shared))));
    }

    [Fact]
    public void A_value_with_no_serializer_fails_put_with_a_clear_error()
    {
        Start();

        var error = Assert.Throws<RayException>(() => Ray.Put(new Unsendable()));

        Assert.Contains("no serializer", error.Message);
        Assert.Contains(nameof(Unsendable), error.Message);
    }

    private sealed class Unsendable
    {
        public int Value { get; set; }
    }
}

public sealed class SerializationTestsInProcess : SerializationTests
{
}

public sealed class SerializationTestsWorkers : SerializationTests
{
    protected override void Configure(RayOptions options) => options.WorkerProcesses = 2;
}
