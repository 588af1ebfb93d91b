using System.Collections.Immutable;
using GenRay.Generator.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GenRay.Generator.Tests;

/// <summary>GENRAY0016/0017: types that cannot cross a process are compile errors, with the path to the culprit.</summary>
public sealed class SerializabilityAnalyzerTests
{
    private static async Task<ImmutableArray<Diagnostic>> Analyze(string body)
    {
        var output = GeneratorHarness.Run("using System; using System.IO; using System.Threading; using System.Threading.Tasks; using System.Collections.Generic; using GenRay;\n" + body);
        return await output.Compilation.WithAnalyzers([new SerializabilityAnalyzer()]).GetAnalyzerDiagnosticsAsync();
    }

    [Fact]
    public async Task A_delegate_buried_in_a_record_is_reported_with_its_path()
    {
        var diagnostics = await Analyze("""
            public sealed record Job(string Name, Func<int> Work);
            public static partial class Work { [Remote] public static int Run(Job job) => 0; }
            """);

        var d = Assert.Single(diagnostics);
        Assert.Equal("GENRAY0016", d.Id);
        Assert.Contains("Parameter 'job' of 'Work.Run' cannot cross a process: Job.Work: Func<int>", d.GetMessage());
        Assert.Contains("delegate", d.GetMessage());
        Assert.Equal("job", d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan));
    }

    [Fact]
    public async Task Paths_go_through_collections_and_nested_types()
    {
        var diagnostics = await Analyze("""
            public sealed class Step { public Stream? Log { get; set; } }
            public sealed record Job(List<Step> Steps, Dictionary<string, Step[]> ByName);
            public static partial class Work { [Remote] public static void Run(Job job) { } }
            """);

        var messages = diagnostics.Select(d => d.GetMessage()).ToList();
        Assert.Contains(messages, m => m.Contains("Job.Steps[].Log: Stream") && m.Contains("bytes"));
        Assert.Single(messages); // Step is reported once, where the walk first meets it
    }

    [Theory]
    [InlineData("Func<int> f", "Func<int>", "delegate")]
    [InlineData("Task<int> t", "Task<int>", "ObjectRef")]
    [InlineData("CancellationTokenSource c", "CancellationTokenSource", "CancellationToken parameter")]
    [InlineData("Thread t", "Thread", "thread")]
    [InlineData("object o", "object", "concrete type")]
    [InlineData("IShape s", "IShape", "interface")]
    [InlineData("IComparable c", "IComparable", "framework type")]
    [InlineData("Exception e", "Exception", "error value")]
    [InlineData("Type t", "Type", "loaded code")]
    public async Task Process_bound_parameter_types_are_errors(string parameter, string type, string reason)
    {
        var diagnostics = await Analyze($"public interface IShape {{ }} public static partial class Work {{ [Remote] public static void Run({parameter}) {{ }} }}");

        var d = Assert.Single(diagnostics);
        Assert.Equal("GENRAY0016", d.Id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Contains($": {type}", d.GetMessage());
        Assert.Contains(reason, d.GetMessage());
    }

    [Fact]
    public async Task Results_are_checked_too_including_inside_tasks()
    {
        var diagnostics = await Analyze("""
            public static partial class Work
            {
                [Remote] public static Stream Open() => Stream.Null;
                [Remote] public static Task<Action> Later() => Task.FromResult<Action>(() => { });
            }
            """);

        Assert.Equal(2, diagnostics.Count(d => d.Id == "GENRAY0017"));
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("The result of 'Work.Later' cannot cross a process: Action"));
    }

    [Fact]
    public async Task Types_the_receiver_cannot_construct_are_errors()
    {
        var diagnostics = await Analyze("""
            public abstract class Shape { public int Sides { get; set; } }
            public sealed class Locked { private Locked() { } public int Value { get; set; } }
            public static partial class Work
            {
                [Remote] public static void A(Shape shape) { }
                [Remote] public static void B(Locked locked) { }
            }
            """);

        Assert.Contains(diagnostics, d => d.GetMessage().Contains("abstract"));
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("public constructor"));
    }

    [Fact]
    public async Task Actor_constructors_and_methods_are_checked()
    {
        var diagnostics = await Analyze("""
            [Remote]
            public partial class Keeper
            {
                public Keeper(Func<string> name) { }
                public void Keep(Stream stream) { }
                public Thread Current() => Thread.CurrentThread;
            }
            """);

        Assert.Equal(2, diagnostics.Count(d => d.Id == "GENRAY0016"));
        Assert.Single(diagnostics, d => d.Id == "GENRAY0017");
        Assert.Contains(diagnostics, d => d.GetMessage().Contains("'Keeper constructor'"));
    }

    [Fact]
    public async Task Every_supported_shape_stays_clean()
    {
        var diagnostics = await Analyze("""
            public enum Level { Low, High }
            public sealed record Job(string Name, Level Level, List<string>? Tags, int[,] Grid, (int, double) Pair);
            public sealed class Settings { public double Ratio { get; set; } public Dictionary<string, Job[]> Jobs { get; set; } = new(); public int Total => 0; }
            public readonly struct Point(int x, int y) { public int X { get; } = x; public int Y { get; } = y; }
            public sealed record Envelope(ObjectRef<Job> Job, ActorHandle<Keeper> Keeper, IReadOnlyList<Point?> Points, Guid Id, DateTimeOffset At);
            [Remote] public partial class Keeper { public Settings Keep(Settings s, CancellationToken ct) => s; }
            public static partial class Work
            {
                [Remote] public static Task<Envelope> Move(Envelope e, HashSet<long> ids, byte[] blob, Uri where) => Task.FromResult(e);
                [Remote] public static ObjectRef<int> MakeRef() => default!;
            }
            """);

        Assert.Empty(diagnostics);
    }
}
