using GenRay.GeneratorBenchmarks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace GenRay.Generator.Tests;

/// <summary>
/// The benchmark's project (1,000 [Remote] methods, 200 actors) is generated completely and cleanly, and an edit
/// inside one method body regenerates nothing. How fast is for benchmarks/GenRay.GeneratorBenchmarks to say.
/// </summary>
public sealed class ScaleTests
{
    [Fact]
    public void Every_remote_is_generated_and_the_result_compiles_without_warnings()
    {
        var compilation = Compile();
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);

        Assert.Empty(diagnostics);
        Assert.Equal(ScaleSource.ExpectedGeneratedFiles, output.SyntaxTrees.Count() - compilation.SyntaxTrees.Count());
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void A_one_line_edit_at_scale_leaves_every_step_cached()
    {
        var compilation = Compile();
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.First();
        var edited = CSharpSyntaxTree.ParseText(ScaleSource.EditBody(tree.ToString(), 1), GeneratorHarness.ParseOptions, tree.FilePath);
        Assert.NotEqual(tree.ToString(), edited.ToString());

        var second = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, edited)).GetRunResult();

        IncrementalityTests.AssertAllCached(second);
        Assert.Equal(ScaleSource.ExpectedGeneratedFiles, second.GeneratedTrees.Length);
    }

    private static CSharpCompilation Compile()
    {
        var files = ScaleSource.Files();
        return GeneratorHarness.Compile([.. files.Select(f => f.Text)]);
    }
}
