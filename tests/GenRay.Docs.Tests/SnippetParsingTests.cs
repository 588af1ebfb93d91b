namespace GenRay.Docs.Tests;

/// <summary>How code blocks and their directives are read from a page.</summary>
public sealed class SnippetParsingTests
{
    [Fact]
    public void A_run_block_takes_the_text_block_after_it_as_its_output()
    {
        var snippets = Parse("""
            Some prose.

            <!-- snippet: run -->
            ```csharp
            Console.WriteLine(1);
            ```

            prints

            ```text
            1
            ```

            ```csharp
            var x = 2;
            ```
            """);

        Assert.Equal(2, snippets.Count);
        Assert.True(snippets[0].Run);
        Assert.Equal(4, snippets[0].Line);
        Assert.Equal("Console.WriteLine(1);\n", snippets[0].Code);
        Assert.Equal("1\n", snippets[0].ExpectedOutput);
        Assert.False(snippets[1].Run);
        Assert.Empty(snippets[1].ExpectedDiagnostics);
    }

    [Fact]
    public void An_expect_directive_lists_the_diagnostics_the_block_must_report()
    {
        var snippet = Assert.Single(Parse("""
            <!-- snippet: expect GENRAY0001, CS1503 -->

            ```csharp
            class C {}
            ```
            """));

        Assert.Equal(["GENRAY0001", "CS1503"], snippet.ExpectedDiagnostics);
        Assert.False(snippet.Run);
    }

    [Fact]
    public void Prose_between_a_directive_and_a_block_cancels_the_directive()
    {
        var snippet = Assert.Single(Parse("""
            <!-- snippet: run -->
            A sentence that belongs to the next block.
            ```csharp
            class C {}
            ```
            """));

        Assert.False(snippet.Run);
    }

    [Fact]
    public void Other_languages_are_not_compiled_and_take_no_directive()
    {
        Assert.Empty(Parse("""
            ```sh
            dotnet test
            ```
            ```xml
            <Project />
            ```
            """));
        Assert.Throws<FormatException>(() => Parse("""
            <!-- snippet: run -->
            ```sh
            dotnet test
            ```
            """));
    }

    [Fact]
    public void Unknown_directives_and_unclosed_blocks_are_errors()
    {
        Assert.Throws<FormatException>(() => Parse("""
            <!-- snippet: compile-only -->
            ```csharp
            class C {}
            ```
            """));
        Assert.Throws<FormatException>(() => Parse("""
            ```csharp
            class C {}
            """));
    }

    private static List<Snippet> Parse(string markdown) => [.. Snippet.Parse("page.md", markdown.Split('\n'))];
}
