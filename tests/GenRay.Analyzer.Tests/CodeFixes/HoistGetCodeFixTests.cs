using GenRay.CodeFixes;
using GenRay.Generator.Analyzers;
using static GenRay.Analyzer.Tests.Remotes;

namespace GenRay.Analyzer.Tests.CodeFixes;

/// <summary>GENRAY0020's fix: the loop collects refs, one Ray.Get after it, the code that used each value runs over the results.</summary>
public sealed class HoistGetCodeFixTests
{
    private static Task Verify(string body, string fixedBody) =>
        CodeFixVerifier<GetInLoopAnalyzer, HoistGetCodeFix>.VerifyAsync(Wrap(body), Wrap(fixedBody));

    private static string Wrap(string body) => With($$"""
        public static class Driver
        {
            public static int Run(List<int> xs)
            {
                var results = new List<int>();
                var total = 0;
        {{body}}
                return results.Count + total;
            }
        }
        """);

    [Fact]
    public Task Ray_s_example_a_get_added_to_a_list() => Verify("""
                for (var i = 0; i < 4; i++)
                {
                    results.Add({|GENRAY0020:Ray.Get(Work.Remote.F(i))|});
                }
        """, """
                var refs = new List<ObjectRef<int>>();
                for (var i = 0; i < 4; i++)
                {
                    refs.Add(Work.Remote.F(i));
                }
                foreach (var result in Ray.Get(refs))
                {
                    results.Add(result);
                }
        """);

    [Fact]
    public Task A_value_declared_in_the_body_keeps_its_name_and_the_statements_after_it_move_too() => Verify("""
                // Square every element.
                foreach (var x in xs)
                {
                    var squared = {|GENRAY0020:Ray.Get(Work.Remote.F(x * x))|};
                    total += squared;
                    Console.WriteLine(squared);
                }
        """, """
                // Square every element.
                var refs = new List<ObjectRef<int>>();
                foreach (var x in xs)
                {
                    refs.Add(Work.Remote.F(x * x));
                }
                foreach (var squared in Ray.Get(refs))
                {
                    total += squared;
                    Console.WriteLine(squared);
                }
        """);

    [Fact]
    public Task A_void_remote_and_names_already_taken() => Verify("""
                var refs = 0;
                var n = 0;
                while (n < 3)
                {
                    n++;
                    {|GENRAY0020:Ray.Get(Work.Remote.Log("line " + n))|};
                }
                total = refs;
        """, """
                var refs = 0;
                var n = 0;
                var refs2 = new List<ObjectRef>();
                while (n < 3)
                {
                    n++;
                    refs2.Add(Work.Remote.Log("line " + n));
                }
                Ray.Get(refs2);
                total = refs;
        """);

    [Fact]
    public async Task Top_level_statements()
    {
        var test = new CodeFixVerifier<GetInLoopAnalyzer, HoistGetCodeFix>(Usings + """
            var squares = new List<int>();
            foreach (var x in new[] { 1, 2, 3 })
            {
                squares.Add({|GENRAY0020:Ray.Get(Work.Remote.F(x * x))|});
            }
            Console.WriteLine(squares.Sum());
            """ + Declarations, Usings + """
            var squares = new List<int>();
            var refs = new List<ObjectRef<int>>();
            foreach (var x in new[] { 1, 2, 3 })
            {
                refs.Add(Work.Remote.F(x * x));
            }
            foreach (var result in Ray.Get(refs))
            {
                squares.Add(result);
            }
            Console.WriteLine(squares.Sum());
            """ + Declarations);
        test.TestState.OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication;
        await test.RunAsync();
    }

    [Fact]
    public Task No_fix_when_the_code_after_the_get_needs_the_iteration()
    {
        // Printing i after the loop would print the wrong thing: the diagnostic stays, with no fix offered.
        var source = Wrap("""
                    for (var i = 0; i < 4; i++)
                    {
                        Console.WriteLine($"{i}: {{|GENRAY0020:Ray.Get(Work.Remote.F(i))|}}");
                    }
            """);
        return CodeFixVerifier<GetInLoopAnalyzer, HoistGetCodeFix>.VerifyAsync(source, source);
    }
}
