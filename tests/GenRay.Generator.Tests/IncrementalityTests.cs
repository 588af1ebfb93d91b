using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace GenRay.Generator.Tests;

/// <summary>The generator stays cached across edits that do not change a remote's signature, and its models hold no compiler objects.</summary>
public sealed class IncrementalityTests
{
    private const string Remotes = """
        using GenRay;
        namespace MyApp;
        public static partial class Work
        {
            [Remote] public static int Add(int x, int y = 0) => x + y;
            [Remote] public static void Log(string line) { }
            [Remote] public static Job Redo(Job job) => job;
        }
        public sealed record Job(string Name, int Tries);
        [Remote] public partial class Adder
        {
            private int _sum;
            public int Add(int x) => _sum += x;
        }
        """;

    private const string Unrelated = """
        namespace MyApp;
        public static class Helpers { public static int Zero() => 0; }
        """;

    private static readonly string[] s_trackedSteps =
        [TrackingNames.TaskResults, TrackingNames.TaskModels, TrackingNames.TaskHosts, TrackingNames.ActorResults, TrackingNames.ActorModels, TrackingNames.UserObjects];

    [Fact]
    public void An_unrelated_edit_leaves_every_step_cached()
    {
        var (first, second) = RunTwice(Remotes, Unrelated, Unrelated.Replace("=> 0", "=> 1"));

        AssertAllCached(second);
        Assert.Equal(Sources(first), Sources(second));
    }

    [Fact]
    public void An_edit_inside_a_remote_method_body_changes_no_output()
    {
        var edited = Remotes.Replace("=> x + y", "=> y + x").Replace("_sum += x", "_sum = _sum + x");

        var (first, second) = RunTwice(Remotes, edited);

        AssertAllCached(second);
        Assert.Equal(Sources(first), Sources(second));
    }

    [Fact]
    public void Changing_one_signature_regenerates_only_that_remote()
    {
        var (_, second) = RunTwice(Remotes, Remotes.Replace("Add(int x, int y = 0)", "Add(int x, int y = 1)"));

        var models = second.Results[0].TrackedSteps[TrackingNames.TaskModels].SelectMany(s => s.Outputs).ToList();
        Assert.Single(models, o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Equal(2, models.Count(o => o.Reason is IncrementalStepRunReason.Unchanged or IncrementalStepRunReason.Cached));
        Assert.All(second.Results[0].TrackedSteps[TrackingNames.ActorModels].SelectMany(s => s.Outputs),
            o => Assert.Contains(o.Reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
    }

    [Fact]
    public void Models_hold_no_compilation_symbol_syntax_or_location()
    {
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(GeneratorHarness.Compile(Remotes));
        var steps = driver.GetRunResult().Results[0].TrackedSteps;

        var walked = 0;
        foreach (var name in s_trackedSteps)
        {
            foreach (var output in steps[name].SelectMany(s => s.Outputs))
            {
                AssertNoCompilerObjects(output.Value, name, new HashSet<object>(ReferenceEqualityComparer.Instance));
                walked++;
            }
        }
        Assert.True(walked >= 5);
    }

    [Fact]
    public void The_generator_keeps_no_compilation_alive_once_the_driver_is_gone()
    {
        // Roslyn's driver itself keeps its last inputs; what must never happen is the generator stashing a
        // compilation (or a symbol, which roots one) anywhere that outlives the driver, like a static cache.
        var weak = RunAndForget();

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(weak.IsAlive, "something outside the driver still references the compilation the generator saw");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference RunAndForget()
    {
        var compilation = GeneratorHarness.Compile(Remotes, Unrelated);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        driver = driver.RunGenerators(compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Extra { }", GeneratorHarness.ParseOptions)));
        Assert.NotEmpty(driver.GetRunResult().GeneratedTrees);
        return new WeakReference(compilation);
    }

    private static (GeneratorDriverRunResult First, GeneratorDriverRunResult Second) RunTwice(string source, string other, string? otherEdited = null)
    {
        var compilation = otherEdited is null ? GeneratorHarness.Compile(source) : GeneratorHarness.Compile(source, other);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        var first = driver.GetRunResult();

        Compilation next;
        if (otherEdited is null)
        {
            var tree = compilation.SyntaxTrees.First();
            next = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(other, GeneratorHarness.ParseOptions, tree.FilePath));
        }
        else
        {
            var tree = compilation.SyntaxTrees.Last();
            next = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(otherEdited, GeneratorHarness.ParseOptions, tree.FilePath));
        }
        var second = driver.RunGenerators(next).GetRunResult();
        return (first, second);
    }

    internal static void AssertAllCached(GeneratorDriverRunResult run)
    {
        var steps = run.Results[0].TrackedSteps;
        foreach (var name in s_trackedSteps)
        {
            Assert.True(steps.ContainsKey(name), $"step {name} did not run");
            foreach (var output in steps[name].SelectMany(s => s.Outputs))
            {
                Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"step {name} produced {output.Reason} output after an edit that changes no remote signature");
            }
        }
        Assert.All(run.Results[0].TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    private static Dictionary<string, string> Sources(GeneratorDriverRunResult run) =>
        run.Results[0].GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());

    private static void AssertNoCompilerObjects(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }
        var type = value.GetType();
        Assert.False(value is Compilation or ISymbol or SyntaxNode or SyntaxTree or Location or SemanticModel,
            $"{path} holds a {type.Name}: models must be plain values");
        if (value is IEnumerable items)
        {
            var i = 0;
            foreach (var item in items)
            {
                AssertNoCompilerObjects(item, $"{path}[{i++}]", seen);
            }
        }
        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertNoCompilerObjects(field.GetValue(value), $"{path}.{field.Name}", seen);
        }
    }
}
