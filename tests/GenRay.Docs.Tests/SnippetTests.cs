using Microsoft.CodeAnalysis;

namespace GenRay.Docs.Tests;

/// <summary>Every C# block in README.md and docs/ compiles, without a warning, as a user would paste it.</summary>
public sealed class SnippetTests
{
    public static TheoryData<string, int> Snippets()
    {
        var data = new TheoryData<string, int>();
        foreach (var snippet in Snippet.All())
        {
            data.Add(snippet.File, snippet.Line);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void Compiles(string file, int line)
    {
        var snippet = Snippet.Read(file).Single(s => s.Line == line);

        var (_, diagnostics) = SnippetCompiler.Compile(snippet);

        if (snippet.ExpectedDiagnostics.Count == 0)
        {
            Assert.True(diagnostics.Count == 0, Describe(snippet, diagnostics));
        }
        else
        {
            Assert.True(diagnostics.Select(d => d.Id).Distinct().Order().SequenceEqual(snippet.ExpectedDiagnostics.Order()),
                $"expected exactly {string.Join(", ", snippet.ExpectedDiagnostics)}.\n{Describe(snippet, diagnostics)}");
        }
    }

    public static TheoryData<string, int> RunnableSnippets()
    {
        var data = new TheoryData<string, int>();
        foreach (var snippet in Snippet.All().Where(s => s.Run))
        {
            data.Add(snippet.File, snippet.Line);
        }
        return data;
    }

    /// <summary>Blocks marked <c>&lt;!-- snippet: run --&gt;</c> run, and print what the <c>```text</c> block after them shows.</summary>
    [Theory]
    [MemberData(nameof(RunnableSnippets))]
    public void Runs(string file, int line)
    {
        var snippet = Snippet.Read(file).Single(s => s.Line == line);
        var (compilation, diagnostics) = SnippetCompiler.Compile(snippet);
        Assert.True(diagnostics.Count == 0, Describe(snippet, diagnostics));

        var printed = SnippetRunner.Run(compilation, TimeSpan.FromMinutes(1));

        if (snippet.ExpectedOutput is { } expected)
        {
            Assert.True(expected == printed, $"{snippet} should print (the ```text block after it):\n{expected}\nbut printed:\n{printed}");
        }
    }

    private static string Describe(Snippet snippet, IReadOnlyList<Diagnostic> diagnostics) =>
        $"{snippet} reports:\n" + string.Join("\n", diagnostics.Select(d =>
        {
            var position = d.Location.GetLineSpan();
            var at = position.Path == snippet.File ? $"{snippet.File}:{snippet.Line + position.StartLinePosition.Line + 1}" : position.Path;
            return $"  {at}: {d.Id} {d.GetMessage()}";
        }));
}
