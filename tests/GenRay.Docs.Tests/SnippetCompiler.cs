using System.Collections.Immutable;
using System.Reflection;
using GenRay.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GenRay.Docs.Tests;

/// <summary>
/// Compiles a snippet as one file of a fresh <c>dotnet new console</c> project that references GenRay: implicit
/// usings and nullable reference types on, every generator, analyzer and suppressor the package ships running,
/// every warning reported.
/// </summary>
internal static class SnippetCompiler
{
    // What the .NET SDK adds for <ImplicitUsings>enable</ImplicitUsings> in a Microsoft.NET.Sdk project.
    private const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    private static readonly CSharpParseOptions s_parseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).ToList();
        paths.Add(typeof(RemoteAttribute).Assembly.Location);
        paths.Add(typeof(Ray).Assembly.Location);
        return [.. paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    });

    // What the compiler loads from the package's analyzers/dotnet/cs/GenRay.Generator.dll.
    private static readonly Assembly s_analyzerAssembly = typeof(RemoteGenerator).Assembly;

    private static readonly ImmutableArray<ISourceGenerator> s_generators = [.. s_analyzerAssembly.GetTypes()
        .Where(t => t.GetCustomAttribute<GeneratorAttribute>() is not null && typeof(IIncrementalGenerator).IsAssignableFrom(t))
        .Select(t => ((IIncrementalGenerator)Activator.CreateInstance(t)!).AsSourceGenerator())];

    private static readonly ImmutableArray<DiagnosticAnalyzer> s_analyzers = [.. s_analyzerAssembly.GetTypes()
        .Where(t => t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null && typeof(DiagnosticAnalyzer).IsAssignableFrom(t))
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)];

    public static (Compilation Compilation, IReadOnlyList<Diagnostic> Diagnostics) Compile(Snippet snippet)
    {
        var tree = CSharpSyntaxTree.ParseText(snippet.Code, s_parseOptions, path: snippet.File);
        var hasTopLevelStatements = tree.GetRoot().ChildNodes().OfType<GlobalStatementSyntax>().Any();
        var compilation = CSharpCompilation.Create(
            "Snippet",
            [tree, CSharpSyntaxTree.ParseText(ImplicitUsings, s_parseOptions, path: "GlobalUsings.g.cs")],
            s_references.Value,
            new CSharpCompilationOptions(
                hasTopLevelStatements ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                warningLevel: 9999));

        CSharpGeneratorDriver.Create(s_generators, parseOptions: s_parseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var generated, out var generatorDiagnostics);

        var analyzed = generated.WithAnalyzers(s_analyzers);
        var diagnostics = generatorDiagnostics
            .Concat(analyzed.GetAllDiagnosticsAsync().GetAwaiter().GetResult())
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && !d.IsSuppressed)
            .ToList();
        return (generated, diagnostics);
    }
}
