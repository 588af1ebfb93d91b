using System.Runtime.CompilerServices;
using GenRay.Generator.Diagnostics;

namespace GenRay.Analyzer.Tests;

/// <summary>Every diagnostic's help link leads to a section of docs/diagnostics.md, and every ID is tracked for release.</summary>
public sealed class DiagnosticsDocTests
{
    private static readonly string s_docs = File.ReadAllText(Path.Combine(Root(), "docs", "diagnostics.md"));

    public static TheoryData<string> Ids => [.. DiagnosticDescriptors.All().Select(d => d.Id)];

    [Theory]
    [MemberData(nameof(Ids))]
    public void Each_diagnostic_has_a_section_its_help_link_opens(string id)
    {
        var descriptor = DiagnosticDescriptors.ById(id)!;

        Assert.Equal($"{DiagnosticDescriptors.HelpLinkBase}#{id.ToLowerInvariant()}", descriptor.HelpLinkUri);
        Assert.Contains($"\n## {id}\n", s_docs);
        var section = s_docs.Split($"\n## {id}\n")[1].Split("\n## ")[0];
        Assert.Contains($"**{descriptor.Title}**", section.ReplaceLineEndings(" "));
        Assert.True(section.Split("```csharp").Length >= 3, $"{id} needs a bad and a fixed example");
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Each_diagnostic_is_tracked_for_release(string id)
    {
        var releases = File.ReadAllText(Path.Combine(Root(), "src", "Generator", "AnalyzerReleases.Unshipped.md"))
            + File.ReadAllText(Path.Combine(Root(), "src", "Generator", "AnalyzerReleases.Shipped.md"));
        Assert.Contains($"\n{id} |", releases);
    }

    [Fact]
    public void Serialization_ids_not_yet_used_are_held_by_a_placeholder()
    {
        foreach (var id in new[] { "GENRAY0016", "GENRAY0017", "GENRAY0018", "GENRAY0019" }.Where(id => DiagnosticDescriptors.ById(id) is null))
        {
            Assert.Contains($"\n## {id}\n\n**Reserved: serialization (in progress)**", s_docs.ReplaceLineEndings("\n"));
        }
        Assert.All(DiagnosticDescriptors.All().Where(d => string.CompareOrdinal(d.Id, "GENRAY0016") >= 0 && string.CompareOrdinal(d.Id, "GENRAY0019") <= 0),
            d => Assert.Equal("GenRay.Serialization", d.Category));
    }

    private static string Root([CallerFilePath] string sourceFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(sourceFile)!, "..", ".."));
}
