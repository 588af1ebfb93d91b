using GenRay.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace GenRay.Analyzer.Tests;

/// <summary>
/// Runs an analyzer over markup source the way a project that references GenRay would: the generator runs first
/// (the stubs the code calls exist), nullable is enabled, and compiler errors fail the test.
/// </summary>
internal sealed class AnalyzerVerifier<TAnalyzer> : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    public AnalyzerVerifier(string source)
    {
        TestCode = source;
        Configure(this);
    }

    public static Task VerifyAsync(string source) => new AnalyzerVerifier<TAnalyzer>(source).RunAsync();

    protected override CompilationOptions CreateCompilationOptions() =>
        ((CSharpCompilationOptions)base.CreateCompilationOptions()).WithNullableContextOptions(NullableContextOptions.Enable);

    protected override ParseOptions CreateParseOptions() =>
        ((CSharpParseOptions)base.CreateParseOptions()).WithLanguageVersion(LanguageVersion.Latest);

    private static readonly AnalyzerFileReference GeneratorReference = new(typeof(RemoteGenerator).Assembly.Location, new AssemblyLoader());

    internal static void Configure<TVerifier>(AnalyzerTest<TVerifier> test)
        where TVerifier : IVerifier, new()
    {
        test.ReferenceAssemblies = TestReferences.None;
        test.TestState.AdditionalReferences.AddRange(TestReferences.All);
        // The generator goes in as the project's analyzer reference, as in a real project: the workspace runs it,
        // so both the analyzer's compilation and the code fix's semantic model see the stubs.
        test.SolutionTransforms.Add((solution, projectId) => solution.AddAnalyzerReference(projectId, GeneratorReference));
        test.TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        // Compiler warnings count (generated code must be clean), except the test code's missing XML docs.
        test.CompilerDiagnostics = CompilerDiagnostics.Warnings;
        test.DisabledDiagnostics.Add("CS1591");
    }
}

/// <summary>Runs an analyzer and its code fix: the markup's diagnostics, then the fixed text (and nothing left to fix).</summary>
internal sealed class CodeFixVerifier<TAnalyzer, TCodeFix> : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    public CodeFixVerifier(string source, string fixedSource)
    {
        TestCode = source;
        FixedCode = fixedSource;
        AnalyzerVerifier<TAnalyzer>.Configure(this);
    }

    public static Task VerifyAsync(string source, string fixedSource) => new CodeFixVerifier<TAnalyzer, TCodeFix>(source, fixedSource).RunAsync();

    protected override CompilationOptions CreateCompilationOptions() =>
        ((CSharpCompilationOptions)base.CreateCompilationOptions()).WithNullableContextOptions(NullableContextOptions.Enable);

    protected override ParseOptions CreateParseOptions() =>
        ((CSharpParseOptions)base.CreateParseOptions()).WithLanguageVersion(LanguageVersion.Latest);
}

/// <summary>Loads the generator assembly the tests already have loaded.</summary>
internal sealed class AssemblyLoader : IAnalyzerAssemblyLoader
{
    public void AddDependencyLocation(string fullPath)
    {
    }

    public System.Reflection.Assembly LoadFromPath(string fullPath) => System.Reflection.Assembly.LoadFrom(fullPath);
}
