using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GenRay.Docs.Tests;

/// <summary>
/// A <c>genray</c> command line quoted in the documentation or the Kubernetes manifests, as the arguments the tool
/// would get. It is found in a ` ```sh ` block, in an inline code span of prose, or in a manifest's
/// <c>command:</c> and <c>args:</c>, and counts wherever the tool is invoked: <c>genray</c>, <c>dotnet run
/// --project src/Cli --</c>, or <c>dotnet /app/GenRay.Cli.dll</c> (the image's entry point), after any
/// <c>NAME=value</c> assignments or another command's <c>--</c>.
/// </summary>
public sealed partial record ToolCommandLine(string File, int Line, IReadOnlyList<string> Args)
{
    public override string ToString() => $"{File}:{Line}: genray {string.Join(' ', Args)}";

    /// <summary>Pages whose command lines are checked: the C# snippet pages, and the Kubernetes folder's README.</summary>
    public static IEnumerable<string> Pages() => Snippet.Pages().Append("deploy/kubernetes/README.md");

    public static IEnumerable<string> Manifests() =>
        Directory.EnumerateFiles(Path.Combine(Snippet.RepositoryRoot(), "deploy", "kubernetes"), "*.yaml")
            .Order(StringComparer.Ordinal)
            .Select(path => Path.GetRelativePath(Snippet.RepositoryRoot(), path).Replace('\\', '/'));

    public static IEnumerable<ToolCommandLine> All() =>
        Pages().SelectMany(page => InMarkdown(page, Read(page)))
            .Concat(Manifests().SelectMany(manifest => InManifest(manifest, Read(manifest))));

    private static string[] Read(string file) => System.IO.File.ReadAllLines(Path.Combine(Snippet.RepositoryRoot(), file));

    /// <summary>Command lines in shell blocks (continuation lines joined) and in inline code spans of prose.</summary>
    public static IEnumerable<ToolCommandLine> InMarkdown(string page, string[] lines)
    {
        string? fence = null;
        var shell = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].Trim();
            if (fence is null && trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                fence = trimmed[..(trimmed.Length - trimmed.TrimStart('`').Length)];
                shell = trimmed[fence.Length..].Trim() is "sh" or "bash" or "shell" or "console";
                continue;
            }
            if (fence is not null)
            {
                if (trimmed == fence)
                {
                    fence = null;
                    continue;
                }
                if (!shell)
                {
                    continue;
                }
                var first = i;
                var text = lines[i];
                while (text.EndsWith('\\') && i + 1 < lines.Length)
                {
                    text = text[..^1] + " " + lines[++i];
                }
                if (Invocation(Words(text)) is { } args)
                {
                    yield return new ToolCommandLine(page, first + 1, args);
                }
                continue;
            }
            foreach (Match span in InlineCode().Matches(lines[i]))
            {
                if (Invocation(Words(span.Groups[1].Value)) is { } args)
                {
                    yield return new ToolCommandLine(page, i + 1, args);
                }
            }
        }
    }

    /// <summary>
    /// A container's <c>command:</c> and <c>args:</c>, each written as a one-line flow sequence (JSON) so this reads
    /// them exactly; an <c>args:</c> written any other way is an error, so no command line escapes the check.
    /// </summary>
    public static IEnumerable<ToolCommandLine> InManifest(string manifest, string[] lines)
    {
        List<string>? command = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var entry = ManifestEntry().Match(lines[i]);
            if (!entry.Success)
            {
                if (lines[i].Trim() is { Length: > 0 } other && !other.StartsWith('#'))
                {
                    command = null; // a command applies to the args right after it, in the same container
                }
                continue;
            }
            var value = entry.Groups[2].Value.Trim();
            if (!value.StartsWith('[') || !value.EndsWith(']'))
            {
                throw new FormatException($"{manifest}:{i + 1}: write {entry.Groups[1].Value} as a one-line [\"...\", ...] list, so the tests can read it.");
            }
            var words = JsonSerializer.Deserialize<List<string>>(value)
                ?? throw new FormatException($"{manifest}:{i + 1}: {entry.Groups[1].Value} is not a list of strings.");
            if (entry.Groups[1].Value == "command")
            {
                command = words;
                continue;
            }
            if (Invocation([.. command ?? [], .. words]) is { } args)
            {
                yield return new ToolCommandLine(manifest, i + 1, args);
            }
            command = null;
        }
    }

    /// <summary>The tool's arguments when <paramref name="words"/> invoke it, else null.</summary>
    public static IReadOnlyList<string>? Invocation(IReadOnlyList<string> words)
    {
        for (var i = 0; i < words.Count; i++)
        {
            var start = words[i] switch
            {
                "genray" => i + 1,
                "dotnet" when At(i + 1, "/app/GenRay.Cli.dll") => i + 2,
                "dotnet" when At(i + 1, "run", "--project", "src/Cli", "--") => i + 5,
                _ => -1,
            };
            if (start >= 0)
            {
                // The tool named with nothing after it is a mention in prose, not a command line.
                return start < words.Count ? [.. words.Skip(start)] : null;
            }
        }
        return null;

        bool At(int index, params string[] expected) =>
            index + expected.Length <= words.Count && expected.Select((word, k) => words[index + k] == word).All(same => same);
    }

    /// <summary>Shell words, as sh splits them for a command line with no expansions: quotes, backslashes, and the
    /// end of the first command (<c>;</c>, <c>&amp;&amp;</c>, <c>|</c>, or a <c>#</c> comment).</summary>
    public static List<string> Words(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote is { } open)
            {
                if (c == open)
                {
                    quote = null;
                }
                else if (c == '\\' && open == '"' && i + 1 < line.Length)
                {
                    word.Append(line[++i]);
                }
                else
                {
                    word.Append(c);
                }
                continue;
            }
            if (char.IsWhiteSpace(c))
            {
                End();
                continue;
            }
            if (!inWord && (c is ';' or '|' or '&' or '#'))
            {
                break;
            }
            inWord = true;
            if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '\\' && i + 1 < line.Length)
            {
                word.Append(line[++i]);
            }
            else
            {
                word.Append(c);
            }
        }
        End();
        return words;

        void End()
        {
            if (inWord)
            {
                words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
        }
    }

    [GeneratedRegex(@"(?<!`)`([^`]+)`(?!`)")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^\s*(?:-\s+)?(command|args):(.*)$")]
    private static partial Regex ManifestEntry();
}
