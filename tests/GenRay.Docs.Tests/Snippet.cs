using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace GenRay.Docs.Tests;

/// <summary>
/// One <c>```csharp</c> block of the documentation. An HTML comment on the line before the fence tells the
/// tests more about it:
/// <list type="bullet">
/// <item><c>&lt;!-- snippet: run --&gt;</c>: the block is also run; when the next fenced block is <c>```text</c>,
/// that is what it must print.</item>
/// <item><c>&lt;!-- snippet: expect GENRAY0001, CS1503 --&gt;</c>: the block shows a mistake and must report
/// exactly these diagnostics (each at least once, and no others).</item>
/// </list>
/// </summary>
public sealed partial record Snippet(string File, int Line, string Code, bool Run, string? ExpectedOutput, IReadOnlyList<string> ExpectedDiagnostics)
{
    public override string ToString() => $"{File}:{Line}";

    public static string RepositoryRoot([CallerFilePath] string sourceFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(sourceFile)!, "..", ".."));

    /// <summary>The pages whose C# blocks must compile: README.md and every page under docs/.</summary>
    public static IEnumerable<string> Pages()
    {
        var root = RepositoryRoot();
        yield return "README.md";
        foreach (var page in Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            yield return Path.GetRelativePath(root, page).Replace('\\', '/');
        }
    }

    public static IEnumerable<Snippet> All() => Pages().SelectMany(Read);

    public static IEnumerable<Snippet> Read(string page) =>
        Parse(page, System.IO.File.ReadAllLines(Path.Combine(RepositoryRoot(), page)));

    /// <summary>The C# blocks of a page, in order.</summary>
    public static IEnumerable<Snippet> Parse(string page, string[] lines)
    {
        string? directive = null;
        Snippet? awaitingOutput = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var fence = FencePattern().Match(lines[i]);
            if (!fence.Success)
            {
                if (lines[i].Trim().Length > 0)
                {
                    var comment = DirectivePattern().Match(lines[i]);
                    directive = comment.Success ? comment.Groups[1].Value.Trim() : null;
                }
                continue;
            }

            var ticks = fence.Groups[1].Value;
            var language = fence.Groups[2].Value;
            var start = i + 1;
            var end = start;
            while (end < lines.Length && lines[end].Trim() != ticks)
            {
                end++;
            }
            if (end == lines.Length)
            {
                throw new FormatException($"{page}:{i + 1}: the {ticks}{language} block is never closed.");
            }
            var body = string.Join("\n", lines[start..end]) + "\n";

            if (awaitingOutput is not null)
            {
                yield return language == "text" ? awaitingOutput with { ExpectedOutput = body } : awaitingOutput;
                awaitingOutput = null;
            }
            if (language is "csharp" or "cs" or "c#")
            {
                var snippet = Create(page, i + 1, body, directive);
                if (snippet.Run)
                {
                    awaitingOutput = snippet;
                }
                else
                {
                    yield return snippet;
                }
            }
            else if (directive is not null)
            {
                throw new FormatException($"{page}:{i + 1}: '<!-- snippet: {directive} -->' stands before a {language} block; it applies to ```csharp blocks only.");
            }
            directive = null;
            i = end;
        }
        if (awaitingOutput is not null)
        {
            yield return awaitingOutput;
        }
    }

    private static Snippet Create(string page, int line, string code, string? directive)
    {
        if (directive is null)
        {
            return new Snippet(page, line, code, false, null, []);
        }
        if (directive == "run")
        {
            return new Snippet(page, line, code, true, null, []);
        }
        if (directive.StartsWith("expect ", StringComparison.Ordinal))
        {
            var ids = directive["expect ".Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return new Snippet(page, line, code, false, null, ids);
        }
        throw new FormatException($"{page}:{line}: unknown directive '<!-- snippet: {directive} -->' (use 'run' or 'expect ID, ...').");
    }

    [GeneratedRegex(@"^\s*(```+)\s*([\w#+-]*)\s*$")]
    private static partial Regex FencePattern();

    [GeneratedRegex(@"^\s*<!--\s*snippet:(.*?)-->\s*$")]
    private static partial Regex DirectivePattern();
}
