using System.Collections.Immutable;
using GenRay.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace GenRay.Analyzer.Tests;

/// <summary>
/// Applies a code fix to diagnostics the generator reports. The Roslyn testing framework only fixes analyzer
/// and compiler diagnostics, so this does what an IDE does: run the generator over the document's compilation,
/// hand each diagnostic to the fix, apply its first action in a workspace, and repeat until none is left.
/// </summary>
internal static class FixHarness
{
    public static async Task<string> FixGeneratorDiagnosticsAsync(CodeFixProvider fix, string source)
    {
        using var workspace = new AdhocWorkspace();
        var projectId = ProjectId.CreateNewId();
        var solution = workspace.CurrentSolution
            .AddProject(ProjectInfo.Create(projectId, VersionStamp.Default, "UserCode", "UserCode", LanguageNames.CSharp,
                compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
                parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
                metadataReferences: TestReferences.All));
        var documentId = DocumentId.CreateNewId(projectId);
        solution = solution.AddDocument(documentId, "Code.cs", SourceText.From(source), filePath: "/src/Code.cs");
        var document = solution.GetDocument(documentId)!;

        for (var round = 0; round < 20; round++)
        {
            var diagnostic = (await GeneratorDiagnosticsAsync(document)).FirstOrDefault(d => fix.FixableDiagnosticIds.Contains(d.Id));
            if (diagnostic is null)
            {
                return (await document.GetTextAsync()).ToString();
            }
            var actions = new List<CodeAction>();
            await fix.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));
            Assert.True(actions.Count > 0, $"no fix offered for {diagnostic}");
            var operations = await actions[0].GetOperationsAsync(CancellationToken.None);
            document = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution.GetDocument(documentId)!;
        }
        throw new InvalidOperationException("the fix did not converge: it keeps leaving diagnostics to fix");
    }

    /// <summary>Generator diagnostics and compiler warnings or errors of the source with its stubs: empty when all is well.</summary>
    public static IReadOnlyList<Diagnostic> CompileWithGenerator(string source)
    {
        var compilation = CSharpCompilation.Create("UserCode", [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            TestReferences.All, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        CSharpGeneratorDriver.Create(new RemoteGenerator()).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return [.. diagnostics, .. output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning)];
    }

    public static async Task<ImmutableArray<Diagnostic>> GeneratorDiagnosticsAsync(Document document)
    {
        var compilation = (await document.Project.GetCompilationAsync())!;
        CSharpGeneratorDriver.Create(new RemoteGenerator()).RunGeneratorsAndUpdateCompilation(compilation, out _, out var diagnostics);
        return diagnostics;
    }
}
