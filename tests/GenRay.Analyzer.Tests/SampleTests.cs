using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using GenRay.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GenRay.Analyzer.Tests;

/// <summary>
/// Valid code stays clean: the repository's real users of the API — the tutorial and the runtime benchmarks —
/// compiled with the generator and every GenRay analyzer report no GenRay diagnostic and no warning at all.
/// A warning here is a false positive to fix in the analyzer, unless the sample really has the anti-pattern.
/// </summary>
public sealed class SampleTests
{
    public static TheoryData<string> Projects => new() { "samples/Tutorial", "samples/AotSample", "benchmarks/GenRay.Benchmarks" };

    [Theory]
    [MemberData(nameof(Projects))]
    public async Task A_sample_project_has_no_GenRay_diagnostics(string project)
    {
        var folder = Path.Combine(RepositoryRoot(), project);
        var sources = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .ToList();
        Assert.NotEmpty(sources);
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = sources.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parseOptions, f))
            .Append(CSharpSyntaxTree.ParseText(ImplicitUsings, parseOptions, "GlobalUsings.g.cs"));
        var compilation = CSharpCompilation.Create(Path.GetFileName(project), trees, TestReferences.All,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999));

        CSharpGeneratorDriver.Create(new RemoteGenerator()).RunGeneratorsAndUpdateCompilation(compilation, out var withStubs, out var generatorDiagnostics);
        var analyzers = typeof(RemoteGenerator).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(DiagnosticAnalyzer)) && !t.IsAbstract)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();
        Assert.Contains(analyzers, a => a.SupportedDiagnostics.Any(d => d.Id == "GENRAY0020"));
        var all = await withStubs.WithAnalyzers(analyzers).GetAllDiagnosticsAsync();

        var reported = generatorDiagnostics.Concat(all)
            .Where(d => d.Severity >= DiagnosticSeverity.Warning || d.Id.StartsWith("GENRAY", StringComparison.Ordinal))
            .Select(d => d.ToString())
            .ToList();
        Assert.Empty(reported);
    }

    // What <ImplicitUsings>enable</ImplicitUsings> adds to a console project.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private static string RepositoryRoot([CallerFilePath] string sourceFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(sourceFile)!, "..", ".."));
}
