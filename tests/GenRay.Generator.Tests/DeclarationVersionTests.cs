using GenRay.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace GenRay.Generator.Tests;

/// <summary>Which edits leave a project's declarations the same (so parsed results are reused) and which do not.</summary>
public sealed class DeclarationVersionTests
{
    private const string Source = """
        namespace MyApp;
        public static class Defaults
        {
            public const int Y = 1;
            private static int s_count = 2;
            public static int Zero() => 0;
            public static int One { get { return 1; } }
            public static void Log(string line)
            {
                System.Console.WriteLine(line);
            }
        }
        public sealed record Job(string? Name, int Tries);
        """;

    [Theory]
    [InlineData("=> 0;", "=> 0 + 0;")]
    [InlineData("return 1;", "return 2;")]
    [InlineData("System.Console.WriteLine(line);", "System.Console.WriteLine(line + line); // twice")]
    [InlineData("namespace MyApp;", "// a comment\nnamespace   MyApp ;")]
    public void Edits_inside_bodies_comments_and_whitespace_declare_the_same_things(string from, string to)
    {
        Assert.True(Same(Source, Replace(Source, from, to)));
    }

    [Theory]
    [InlineData("int Zero()", "long Zero()")]
    [InlineData("Y = 1", "Y = 2")]
    [InlineData("s_count = 2", "s_count = 3")]
    [InlineData("int Tries)", "int Tries, bool Done)")]
    [InlineData("public sealed record", "[System.Obsolete] public sealed record")]
    [InlineData("System.Console.WriteLine(line);", "System.Console.WriteLine(line);\n#nullable disable")]
    public void Edits_to_declarations_or_directives_declare_other_things(string from, string to)
    {
        Assert.False(Same(Source, Replace(Source, from, to)));
    }

    [Fact]
    public void Another_reference_option_or_file_declares_other_things()
    {
        var compilation = GeneratorHarness.Compile(Source);
        var version = DeclarationVersion.Of(compilation, CancellationToken.None);

        Assert.True(version.SameDeclarationsAs(DeclarationVersion.Of(compilation.Clone(), CancellationToken.None)));
        Assert.False(version.SameDeclarationsAs(DeclarationVersion.Of(compilation.RemoveReferences(compilation.References.Last()), CancellationToken.None)));
        Assert.False(version.SameDeclarationsAs(DeclarationVersion.Of(
            compilation.WithOptions(compilation.Options.WithNullableContextOptions(NullableContextOptions.Disable)), CancellationToken.None)));
        Assert.False(version.SameDeclarationsAs(DeclarationVersion.Of(
            compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Extra { }", GeneratorHarness.ParseOptions)), CancellationToken.None)));
    }

    [Fact]
    public void Versions_found_the_same_are_still_told_apart_from_one_that_is_not()
    {
        var compilation = GeneratorHarness.Compile(Source);
        var bodyEdited = Edit(compilation, Replace(Source, "=> 0;", "=> 1;"));
        var signatureEdited = Edit(bodyEdited, Replace(Source, "=> 0;", "=> 1;").Replace("int Zero()", "long Zero()", StringComparison.Ordinal));
        var (first, second, third) = (Of(compilation), Of(bodyEdited), Of(signatureEdited));

        Assert.True(first.SameDeclarationsAs(second));
        Assert.True(second.SameDeclarationsAs(first));
        Assert.False(second.SameDeclarationsAs(third));
        Assert.False(third.SameDeclarationsAs(first));
        Assert.True(first.SameDeclarationsAs(second));
    }

    private static DeclarationVersion Of(Compilation compilation) => DeclarationVersion.Of(compilation, CancellationToken.None);

    private static Compilation Edit(Compilation compilation, string text)
    {
        var tree = compilation.SyntaxTrees.Single();
        return compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(text, GeneratorHarness.ParseOptions, tree.FilePath));
    }

    private static string Replace(string source, string from, string to)
    {
        Assert.Contains(from, source, StringComparison.Ordinal);
        return source.Replace(from, to, StringComparison.Ordinal);
    }

    private static bool Same(string before, string after)
    {
        var compilation = GeneratorHarness.Compile(before);
        return Of(compilation).SameDeclarationsAs(Of(Edit(compilation, after)));
    }
}
