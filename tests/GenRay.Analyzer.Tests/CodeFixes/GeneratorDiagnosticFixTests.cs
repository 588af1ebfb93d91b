using GenRay.CodeFixes;

namespace GenRay.Analyzer.Tests.CodeFixes;

/// <summary>Fixes for diagnostics the generator reports: GENRAY0001 (add partial) and GENRAY0008 (async void).</summary>
public sealed class GeneratorDiagnosticFixTests
{
    [Fact]
    public async Task GENRAY0001_adds_partial_to_the_type_and_every_enclosing_type()
    {
        var fixedSource = await FixHarness.FixGeneratorDiagnosticsAsync(new AddPartialCodeFix(), """
            using GenRay;

            namespace MyApp;

            public class Outer
            {
                internal static partial class Middle
                {
                    // The tasks.
                    internal static class Work
                    {
                        [Remote] public static int F(int x) => x;
                    }
                }
            }
            """);

        Assert.Equal("""
            using GenRay;

            namespace MyApp;

            public partial class Outer
            {
                internal static partial class Middle
                {
                    // The tasks.
                    internal static partial class Work
                    {
                        [Remote] public static int F(int x) => x;
                    }
                }
            }
            """, fixedSource);
        AssertGeneratesCleanly(fixedSource);
    }

    [Fact]
    public async Task GENRAY0001_on_an_actor_class_and_a_record()
    {
        var fixedSource = await FixHarness.FixGeneratorDiagnosticsAsync(new AddPartialCodeFix(), """
            using GenRay;

            [Remote]
            public sealed class Counter
            {
                public int Get() => 0;
            }

            public record Jobs
            {
                [Remote] public static int F(int x) => x;
            }
            """);

        Assert.Equal("""
            using GenRay;

            [Remote]
            public sealed partial class Counter
            {
                public int Get() => 0;
            }

            public partial record Jobs
            {
                [Remote] public static int F(int x) => x;
            }
            """, fixedSource);
        AssertGeneratesCleanly(fixedSource);
    }

    [Fact]
    public async Task GENRAY0001_a_type_without_modifiers()
    {
        var fixedSource = await FixHarness.FixGeneratorDiagnosticsAsync(new AddPartialCodeFix(), """
            using GenRay;

            /// <summary>Tasks.</summary>
            class Work
            {
                [Remote] public static int F(int x) => x;
            }
            """);

        Assert.Equal("""
            using GenRay;

            /// <summary>Tasks.</summary>
            partial class Work
            {
                [Remote] public static int F(int x) => x;
            }
            """, fixedSource);
        AssertGeneratesCleanly(fixedSource);
    }

    [Fact]
    public async Task GENRAY0008_async_void_becomes_async_Task_in_tasks_and_actors()
    {
        var fixedSource = await FixHarness.FixGeneratorDiagnosticsAsync(new AsyncVoidCodeFix(), """
            using GenRay;

            public static partial class Work
            {
                [Remote]
                public static async void Flush() => await System.Threading.Tasks.Task.Yield();
            }

            [Remote]
            public partial class Writer
            {
                public async void Write(string line) { await System.Threading.Tasks.Task.Delay(1); }
            }
            """);

        Assert.Equal("""
            using GenRay;

            public static partial class Work
            {
                [Remote]
                public static async System.Threading.Tasks.Task Flush() => await System.Threading.Tasks.Task.Yield();
            }

            [Remote]
            public partial class Writer
            {
                public async System.Threading.Tasks.Task Write(string line) { await System.Threading.Tasks.Task.Delay(1); }
            }
            """, fixedSource);
        AssertGeneratesCleanly(fixedSource);
    }

    [Fact]
    public async Task GENRAY0008_reads_Task_where_System_Threading_Tasks_is_imported()
    {
        var fixedSource = await FixHarness.FixGeneratorDiagnosticsAsync(new AsyncVoidCodeFix(), """
            using System.Threading.Tasks;
            using GenRay;

            public static partial class Work
            {
                [Remote] public static async void Flush() { await Task.Yield(); }
            }
            """);

        Assert.Contains("[Remote] public static async Task Flush() { await Task.Yield(); }", fixedSource);
    }

    private static void AssertGeneratesCleanly(string source) => Assert.Empty(FixHarness.CompileWithGenerator(source));
}
