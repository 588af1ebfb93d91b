namespace GenRay.Generator.Tests;

/// <summary>The generated code for representative remotes, compared with approved files, and compiled clean.</summary>
public sealed class SnapshotTests
{
    [Fact]
    public void Tasks()
    {
        var output = GeneratorHarness.Run("""
            using System.Threading;
            using System.Threading.Tasks;
            using GenRay;

            namespace MyApp;

            public enum Mode { Fast, Careful }

            public static partial class Work
            {
                [Remote]
                public static int Add(int x, int y = 0) => x + y;

                [Remote(NumCpus = 2, MaxRetries = 5)]
                public static async Task<double[]> LoadAsync(string path) { await Task.Yield(); return [path.Length]; }

                [Remote]
                public static void Log(string line) { }

                [Remote]
                public static Task FlushAsync() => Task.CompletedTask;

                [Remote(Resources = new[] { "gpu=1", "memory_gb=0.5" }, RetryExceptions = true)]
                public static ValueTask<string?> Describe(string? name = null, double scale = 1.5, Mode mode = Mode.Careful, decimal price = 2.5m, char c = 'x', long big = 10L, int? maybe = null) => new(name);

                [Remote(RetryExceptionTypes = new[] { typeof(System.TimeoutException) })]
                private static int Secret(int @class, CancellationToken cancellation) => @class;
            }
            """);

        Assert.Empty(output.GeneratorDiagnostics);
        Assert.Empty(output.CompileDiagnostics);
        Snapshot.Match(output.Files);
    }

    [Fact]
    public void Overloads_and_nesting()
    {
        var output = GeneratorHarness.Run("""
            using GenRay;

            namespace MyApp.Deep;

            public partial class Outer
            {
                internal partial struct Inner
                {
                    [Remote]
                    public static int Twice(int x) => 2 * x;

                    [Remote]
                    public static double Twice(double x) => 2 * x;
                }
            }
            """);

        Assert.Empty(output.GeneratorDiagnostics);
        Assert.Empty(output.CompileDiagnostics);
        Snapshot.Match(output.Files);
    }

    [Fact]
    public void Actor()
    {
        var output = GeneratorHarness.Run("""
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using GenRay;

            namespace MyApp;

            public abstract class Named
            {
                public string Name() => GetType().Name;
            }

            [Remote(MaxConcurrency = 4, MaxRestarts = 2)]
            public partial class Adder : Named
            {
                private int _sum;

                public Adder(int x = 0, int y = 0) => _sum = x + y;

                public Adder(string start) => _sum = int.Parse(start);

                public int Add(int x = 0, int y = 0) => _sum += x + y;

                public int Add(ActorHandle<Adder> other) => _sum += Ray.Get(other.GetSum());

                public int GetSum() => _sum;

                public void Clear() => _sum = 0;

                public async Task<List<int>> HistoryAsync() { await Task.Yield(); return [_sum]; }

                public override string ToString() => $"Adder({_sum})";

                private void Hidden() { }

                [Remote]
                public static int Helper(int actor) => actor;
            }
            """);

        Assert.Empty(output.GeneratorDiagnostics);
        Assert.Empty(output.CompileDiagnostics);
        Snapshot.Match(output.Files);
    }

    [Fact]
    public void Serializers()
    {
        var output = GeneratorHarness.Run("""
            using System;
            using System.Collections.Generic;
            using GenRay;

            namespace MyApp;

            public enum Level : short { Low, High }

            public sealed record Job(string Name, Level Level, List<string>? Tags);

            public class Settings
            {
                public double Ratio { get; set; }
                public int[] Counts = [];
                public int Total => Counts.Length;
            }

            public readonly struct Point(int x, int y)
            {
                public int X { get; } = x;
                public int Y { get; } = y;
            }

            public sealed record Envelope(ObjectRef<Job> Job, ActorHandle<Keeper> Keeper, Dictionary<string, Point[,]> Grids);

            [Remote]
            public partial class Keeper
            {
                public Settings Keep(Settings settings, (int, Job?) pair) => settings;
            }

            public static partial class Work
            {
                [Remote]
                public static Point? Move(Envelope envelope, double[] weights, Guid id) => null;
            }
            """);

        Assert.Empty(output.GeneratorDiagnostics);
        Assert.Empty(output.CompileDiagnostics);
        Snapshot.Match(output.Files);
    }

    [Fact]
    public void Global_namespace_and_internal_actor()
    {
        var output = GeneratorHarness.Run("""
            using GenRay;

            [Remote]
            internal partial class Counter
            {
                private int _x;
                public Counter(int x) => _x = x;
                public void Inc() => _x++;
                public int GetValue() => _x;
            }

            internal static partial class Tasks
            {
                [Remote]
                internal static Counter? Nothing() => null;
            }
            """);

        Assert.Empty(output.GeneratorDiagnostics);
        Assert.Empty(output.CompileDiagnostics);
        Snapshot.Match(output.Files);
    }
}
