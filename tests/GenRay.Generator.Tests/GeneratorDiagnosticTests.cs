using Microsoft.CodeAnalysis;

namespace GenRay.Generator.Tests;

/// <summary>Each diagnostic the generator reports fires on the misuse it names, at the right place, and nothing is emitted for it.</summary>
public sealed class GeneratorDiagnosticTests
{
    private static GeneratorOutput Run(string body) => GeneratorHarness.Run("using System; using System.Threading.Tasks; using GenRay;\n" + body);

    private static Diagnostic Single(GeneratorOutput output, string id)
    {
        Assert.Empty(output.CompileDiagnostics.Select(d => d.ToString()));
        var matching = output.GeneratorDiagnostics.Where(d => d.Id == id).ToList();
        Assert.True(matching.Count == 1, $"expected one {id}, got: {string.Join("; ", output.GeneratorDiagnostics)}");
        Assert.StartsWith("https://", matching[0].Descriptor.HelpLinkUri);
        Assert.EndsWith("#" + id.ToLowerInvariant(), matching[0].Descriptor.HelpLinkUri);
        return matching[0];
    }

    [Fact]
    public void GENRAY0001_containing_type_must_be_partial()
    {
        var output = Run("public static class Work { [Remote] public static int F() => 1; }");

        var d = Single(output, "GENRAY0001");
        Assert.Contains("'Work' must be declared partial", d.GetMessage());
        Assert.Empty(output.Files);
    }

    [Fact]
    public void GENRAY0001_every_enclosing_type_must_be_partial()
    {
        var output = Run("public class Outer { public static partial class Work { [Remote] public static int F() => 1; } }");

        Assert.Contains("'Outer' must be declared partial", Single(output, "GENRAY0001").GetMessage());
    }

    [Fact]
    public void GENRAY0001_actor_class_must_be_partial()
    {
        Assert.Contains("'Adder'", Single(Run("[Remote] public class Adder { }"), "GENRAY0001").GetMessage());
    }

    [Theory]
    [InlineData("static", "[Remote] public static partial class Adder { }")]
    [InlineData("abstract", "[Remote] public abstract partial class Adder { }")]
    public void GENRAY0002_actor_class_cannot_be_static_or_abstract(string kind, string source)
    {
        Assert.Contains($"is {kind}", Single(Run(source), "GENRAY0002").GetMessage());
    }

    [Fact]
    public void GENRAY0003_actor_needs_a_public_constructor()
    {
        var output = Run("[Remote] public partial class Adder { private Adder() { } public int F() => 1; }");

        Single(output, "GENRAY0003");
        Assert.Empty(output.Files);
    }

    [Fact]
    public void GENRAY0004_instance_method_outside_an_actor()
    {
        var output = Run("public partial class Work { [Remote] public int F() => 1; }");

        Assert.Contains("'Work.F' is an instance method of 'Work'", Single(output, "GENRAY0004").GetMessage());
    }

    [Theory]
    [InlineData("ref int x", "ref")]
    [InlineData("out int x", "out")]
    [InlineData("in int x", "in")]
    public void GENRAY0005_parameters_by_reference(string parameter, string kind)
    {
        var output = Run($"public static partial class Work {{ [Remote] public static void F({parameter}) {{ {(kind == "out" ? "x = 1;" : "")} }} }}");

        Assert.Contains($"by '{kind}'", Single(output, "GENRAY0005").GetMessage());
        Assert.Empty(output.Files);
    }

    [Theory]
    [InlineData("Span<int> x", "ref struct")]
    [InlineData("dynamic x", "dynamic")]
    public void GENRAY0006_parameter_types_that_cannot_cross(string parameter, string reason)
    {
        var output = Run($"public static partial class Work {{ [Remote] public static void F({parameter}) {{ }} }}");

        Assert.Contains(reason, Single(output, "GENRAY0006").GetMessage());
    }

    [Fact]
    public void GENRAY0006_pointer_parameter()
    {
        var output = Run("public static unsafe partial class Work { [Remote] public static void F(int* p) { } }");

        Assert.Contains("pointers", Single(output, "GENRAY0006").GetMessage());
    }

    [Fact]
    public void GENRAY0007_return_types_that_cannot_come_back()
    {
        var output = Run("public static partial class Work { static int s; [Remote] public static ref int F() => ref s; [Remote] public static ReadOnlySpan<int> G() => default; }");

        Assert.Equal(2, output.GeneratorDiagnostics.Count(d => d.Id == "GENRAY0007"));
        Assert.Empty(output.CompileDiagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void GENRAY0008_async_void()
    {
        var output = Run("public static partial class Work { [Remote] public static async void F() { await Task.Yield(); } }");

        Assert.Contains("async void", Single(output, "GENRAY0008").GetMessage());
    }

    [Fact]
    public void GENRAY0009_names_that_clash_with_generated_members()
    {
        var output = Run("""
            public static partial class Work { [Remote] public static int With(int x) => x; }
            [Remote] public partial class Adder { [Remote] public static int New() => 1; public int ToString(int x) => x; }
            """);

        Assert.Equal(3, output.GeneratorDiagnostics.Count(d => d.Id == "GENRAY0009"));
        Assert.Empty(output.CompileDiagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void GENRAY0010_generic_methods()
    {
        var output = Run("public static partial class Work { [Remote] public static T F<T>(T x) => x; } [Remote] public partial class A { public T G<T>(T x) => x; }");

        Assert.Equal(2, output.GeneratorDiagnostics.Count(d => d.Id == "GENRAY0010"));
        Assert.Empty(output.CompileDiagnostics);
    }

    [Fact]
    public void GENRAY0011_generic_containing_types()
    {
        Single(Run("public static partial class Work<T> { [Remote] public static int F() => 1; }"), "GENRAY0011");
    }

    [Theory]
    [InlineData("NumCpus = -1")]
    [InlineData("Resources = new[] { \"gpu\" }")]
    [InlineData("Resources = new[] { \"gpu=x\" }")]
    [InlineData("Resources = new[] { \"CPU=1\" }")]
    [InlineData("MaxRetries = -2")]
    [InlineData("RetryExceptionTypes = new[] { typeof(string) }")]
    public void GENRAY0012_invalid_options(string option)
    {
        Single(Run($"public static partial class Work {{ [Remote({option})] public static int F() => 1; }}"), "GENRAY0012");
    }

    [Fact]
    public void GENRAY0013_options_that_do_not_apply()
    {
        var output = Run("""
            public static partial class Work { [Remote(MaxConcurrency = 2)] public static int F() => 1; }
            [Remote(MaxRetries = 2)] public partial class Adder { }
            """);

        var warnings = output.GeneratorDiagnostics.Where(d => d.Id == "GENRAY0013").ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Equal(DiagnosticSeverity.Warning, w.Severity));
        Assert.Contains(output.Files.Keys, f => f.Contains("Adder")); // a warning: code is still generated
        Assert.Empty(output.CompileDiagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void GENRAY0014_actor_must_be_reachable_from_generated_code()
    {
        Single(Run("public partial class Outer { [Remote] private partial class Hidden { } }"), "GENRAY0014");
    }

    [Fact]
    public void GENRAY0015_remote_members_must_live_in_a_class_struct_or_record()
    {
        Single(Run("public partial interface IWork { [Remote] public static int F() => 1; }"), "GENRAY0015");
    }

    [Fact]
    public void Valid_code_reports_nothing()
    {
        var output = Run("""
            public static partial class Work
            {
                [Remote(NumCpus = 0.5, NumGpus = 1, Resources = new[] { "disk=2" }, MaxRetries = -1, RetryExceptions = true)]
                public static int F(int x, string? s = null) => x;
            }
            [Remote(MaxConcurrency = 2, MaxRestarts = -1, MaxTaskRetries = 3, NumCpus = 1)]
            public partial class Adder { public int Add(int x) => x; }
            """);

        Assert.Empty(output.GeneratorDiagnostics);
        Assert.Empty(output.CompileDiagnostics);
    }
}
