using GenRay.Generator.Analyzers;
using static GenRay.Analyzer.Tests.Remotes;

namespace GenRay.Analyzer.Tests.Analyzers;

/// <summary>GENRAY0022: the same large value passed by value to stubs in a loop.</summary>
public sealed class LargeValueInLoopTests
{
    private static Task Verify(string body) => AnalyzerVerifier<LargeValueInLoopAnalyzer>.VerifyAsync(With($$"""
        public class Driver
        {
            private readonly int[] _table = new int[1 << 20];

            public void Run(List<int> items, List<ActorHandle<Counter>> counters, string name)
            {
                var data = new int[1 << 20];
                var refs = new List<ObjectRef<int>>();
        {{body}}
                Console.WriteLine(Ray.Get(refs).Length);
            }
        }
        """));

    [Fact]
    public Task An_array_a_list_and_a_field_in_loops() => Verify("""
                for (var i = 0; i < 10; i++)
                {
                    refs.Add(Work.Remote.Sum({|GENRAY0022:data|}, i));
                    refs.Add(Work.Remote.Sum({|GENRAY0022:_table|}, i));
                }
                foreach (var item in items)
                {
                    refs.Add(Work.Remote.Count({|GENRAY0022:items|}, name));
                }
        """);

    [Fact]
    public Task Ray_s_own_example_a_comprehension() => Verify("""
                refs.AddRange(Enumerable.Range(0, 10).Select(i => Work.Remote.Sum({|GENRAY0022:data|}, i)));
        """);

    [Fact]
    public Task The_message_says_what_to_put() => new AnalyzerVerifier<LargeValueInLoopAnalyzer>(With("""
        public static class Driver
        {
            public static void Run(int[] data)
            {
                for (var i = 0; i < 10; i++)
                {
                    Work.Remote.Sum(data, i);
                }
            }
        }
        """))
    {
        ExpectedDiagnostics =
        {
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult(Generator.Diagnostics.DiagnosticDescriptors.LargeValueInLoop)
                .WithSpan(12, 29, 12, 33).WithArguments("data", "int[]", "Work.Remote.Sum", "dataRef"),
        },
    }.RunAsync();

    [Fact]
    public Task A_put_ref_small_values_handles_and_values_made_per_iteration_are_clean() => Verify("""
                var dataRef = Ray.Put(data);
                for (var i = 0; i < 10; i++)
                {
                    refs.Add(Work.Remote.Sum(dataRef, i));
                    refs.Add(Work.Remote.Count(new List<int> { i }, name));
                    refs.Add(Work.Remote.Ping(counters));
                    var fresh = new int[i];
                    refs.Add(Work.Remote.Sum(fresh, i));
                }
                refs.Add(Work.Remote.Sum(data, 0));
                foreach (var item in items)
                {
                    data = new int[item];
                    refs.Add(Work.Remote.Sum(data, item));
                }
        """);
}
