using GenRay.Generator.Model;
using GenRay.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GenRay.Generator.Tests;

/// <summary>
/// The transforms' results are reused for declarations in files an edit did not touch, only while the project
/// declares the same things: after any edit, the incremental run generates and reports exactly what a fresh run
/// over the edited project does.
/// </summary>
public sealed class ParseCacheTests
{
    private const string Remotes = """
        using GenRay;
        namespace MyApp;
        public static partial class Work
        {
            [Remote] public static int Add(int x, int y = Defaults.Y) => x + y;
            [Remote] public static Job Redo(Job job) => job;
        }
        [Remote] public partial class Adder
        {
            private int _sum;
            public int Add(int x) => _sum += x;
        }
        """;

    private const string Declarations = """
        namespace MyApp;
        public static class Defaults
        {
            public const int Y = 1;
            public static int Zero() => 0;
        }
        public sealed record Job(string? Name, int Tries);
        """;

    [Fact]
    public void A_body_edit_in_another_file_parses_nothing_again()
    {
        var parses = CountParses([Remotes, Declarations], 1, Declarations.Replace("=> 0", "=> 1"));

        Assert.Equal(0, parses);
    }

    [Fact]
    public void A_body_edit_in_the_remotes_own_file_parses_that_files_declarations_again_and_changes_no_output()
    {
        var parses = CountParses([Remotes, Declarations], 0, Remotes.Replace("=> x + y", "=> y + x"));
        var (first, incremental, fresh) = EditAndRunFresh([Remotes, Declarations], 0, Remotes.Replace("=> x + y", "=> y + x"));

        Assert.Equal(3, parses);
        Assert.Equal(Sources(first), Sources(incremental));
        AssertSameAsFresh(incremental, fresh);
    }

    [Fact]
    public void A_declaration_edit_in_another_file_parses_everything_again()
    {
        var parses = CountParses([Remotes, Declarations], 1, Declarations.Replace("public static int Zero()", "public static long Zero()"));

        Assert.Equal(3, parses);
    }

    [Fact]
    public void A_member_added_to_a_type_in_another_file_reaches_its_serializer()
    {
        var (first, incremental, fresh) = EditAndRunFresh([Remotes, Declarations], 1, Declarations.Replace("int Tries)", "int Tries, bool Done)"));

        Assert.NotEqual(Sources(first), Sources(incremental));
        Assert.Contains(Sources(incremental).Values, source => source.Contains("Done", StringComparison.Ordinal));
        AssertSameAsFresh(incremental, fresh);
    }

    [Fact]
    public void A_constant_changed_in_another_file_reaches_the_default_value()
    {
        var (first, incremental, fresh) = EditAndRunFresh([Remotes, Declarations], 1, Declarations.Replace("Y = 1", "Y = 2"));

        Assert.NotEqual(Sources(first), Sources(incremental));
        AssertSameAsFresh(incremental, fresh);
    }

    [Fact]
    public void A_diagnostic_pointing_into_another_file_follows_a_body_edit_there()
    {
        const string actor = """
            using GenRay;
            namespace MyApp;
            [Remote] public partial class Counter : CounterBase
            {
                public int Next() => 1;
            }
            """;
        const string baseClass = """
            namespace MyApp;
            public class CounterBase
            {
                public int Helper() => 0;
                public new string GetType() => "counter";
            }
            """;

        var (first, incremental, fresh) = EditAndRunFresh([actor, baseClass], 1, baseClass.Replace("=> 0;", "{\n\n\n        return 0;\n    }"));

        Assert.Contains(first.Diagnostics, d => d.Location.GetLineSpan().Path == "Source1.cs");
        Assert.NotEqual(Diagnostics(first), Diagnostics(incremental));
        AssertSameAsFresh(incremental, fresh);
    }

    [Fact]
    public void A_result_with_diagnostics_is_parsed_again_on_every_edit()
    {
        const string clash = """
            using GenRay;
            namespace MyApp;
            public static partial class Work
            {
                [Remote] public static int With(int x) => x;
                [Remote] public static int Add(int x) => x;
            }
            """;

        var parses = CountParses([clash, Declarations], 1, Declarations.Replace("=> 0", "=> 1"));

        Assert.Equal(1, parses);
    }

    /// <summary>How many [Remote] declarations the transforms parse (rather than reuse) in the run after the edit.</summary>
    private static int CountParses(string[] sources, int file, string edited)
    {
        var counter = new CountingGenerator();
        var compilation = GeneratorHarness.Compile(sources);
        var driver = CSharpGeneratorDriver.Create([counter.AsSourceGenerator()], parseOptions: GeneratorHarness.ParseOptions)
            .RunGenerators(compilation);
        Assert.True(counter.Parses > 0);

        var tree = compilation.SyntaxTrees.ElementAt(file);
        counter.Parses = 0;
        driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(edited, GeneratorHarness.ParseOptions, tree.FilePath)));
        return counter.Parses;
    }

    /// <summary>The generator's two transforms, through the same cache, counting the parses that were not reused.</summary>
    private sealed class CountingGenerator : IIncrementalGenerator
    {
        public int Parses;

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var tasks = context.SyntaxProvider.ForAttributeWithMetadataName(SymbolFacts.RemoteAttributeName,
                static (node, _) => node is MethodDeclarationSyntax,
                (ctx, ct) => ParseCache<TaskMethod>.GetOrParse(ctx, (c, t) => { Interlocked.Increment(ref Parses); return TaskParser.Parse(c, t); }, ct));
            var actors = context.SyntaxProvider.ForAttributeWithMetadataName(SymbolFacts.RemoteAttributeName,
                static (node, _) => node is ClassDeclarationSyntax,
                (ctx, ct) => ParseCache<ActorClass>.GetOrParse(ctx, (c, t) => { Interlocked.Increment(ref Parses); return ActorParser.Parse(c, t); }, ct));
            context.RegisterSourceOutput(tasks.Collect().Combine(actors.Collect()), static (_, _) => { });
        }
    }

    private static (GeneratorDriverRunResult First, GeneratorDriverRunResult Incremental, GeneratorDriverRunResult Fresh) EditAndRunFresh(
        string[] sources, int file, string edited)
    {
        Assert.NotEqual(sources[file], edited);
        var compilation = GeneratorHarness.Compile(sources);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        var first = driver.GetRunResult();

        var tree = compilation.SyntaxTrees.ElementAt(file);
        var next = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(edited, GeneratorHarness.ParseOptions, tree.FilePath));
        var incremental = driver.RunGenerators(next).GetRunResult();

        var editedSources = sources.ToArray();
        editedSources[file] = edited;
        var fresh = GeneratorHarness.CreateDriver().RunGenerators(GeneratorHarness.Compile(editedSources)).GetRunResult();
        return (first, incremental, fresh);
    }

    private static void AssertSameAsFresh(GeneratorDriverRunResult incremental, GeneratorDriverRunResult fresh)
    {
        Assert.Equal(Sources(fresh), Sources(incremental));
        Assert.Equal(Diagnostics(fresh), Diagnostics(incremental));
    }

    private static Dictionary<string, string> Sources(GeneratorDriverRunResult run) =>
        run.Results[0].GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());

    private static List<string> Diagnostics(GeneratorDriverRunResult run) =>
        [.. run.Diagnostics.Select(d => $"{d.Id} {d.Location.GetLineSpan()} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}").Order()];
}
