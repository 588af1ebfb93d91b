using GenRay.Generator.Analyzers;
using static GenRay.Analyzer.Tests.Remotes;

namespace GenRay.Analyzer.Tests.Analyzers;

/// <summary>GENRAY0020: Ray.Get on a ref submitted in the same loop iteration.</summary>
public sealed class GetInLoopTests
{
    private static Task Verify(string body) => AnalyzerVerifier<GetInLoopAnalyzer>.VerifyAsync(With($$"""
        public static class Driver
        {
            public static void Run(List<int> xs, List<ActorHandle<Counter>> counters, ActorHandle<Counter> counter)
            {
                var results = new List<int>();
                var total = 0;
        {{body}}
                Console.WriteLine(results.Count + total);
            }
        }
        """));

    [Fact]
    public Task A_get_of_the_stub_called_in_the_same_statement() => Verify("""
                for (var i = 0; i < 4; i++)
                {
                    results.Add({|GENRAY0020:Ray.Get(Work.Remote.F(i))|});
                }
        """);

    [Fact]
    public Task A_get_of_a_local_the_iteration_assigned_from_a_stub() => Verify("""
                foreach (var x in xs)
                {
                    var r = Work.Remote.F(x);
                    total += {|GENRAY0020:Ray.Get(r)|};
                }
        """);

    [Fact]
    public Task While_and_do_loops() => Verify("""
                var n = 0;
                while (n < 3)
                {
                    total += {|GENRAY0020:Ray.Get(Work.Remote.F(n++))|};
                }
                do
                {
                    {|GENRAY0020:Ray.Get(Work.Remote.Log("x"))|};
                }
                while (n-- > 0);
        """);

    [Fact]
    public Task A_linq_select_is_a_loop_too() => Verify("""
                results = xs.Select(x => {|GENRAY0020:Ray.Get(Work.Remote.F(x))|}).ToList();
        """);

    [Fact]
    public Task Calls_to_a_different_actor_each_iteration() => Verify("""
                foreach (var c in counters)
                {
                    total += {|GENRAY0020:Ray.Get(c.Get())|};
                }
        """);

    [Fact]
    public Task Collecting_refs_and_getting_the_list_after_the_loop_is_clean() => Verify("""
                var refs = new List<ObjectRef<int>>();
                for (var i = 0; i < 4; i++)
                {
                    refs.Add(Work.Remote.F(i));
                }
                results.AddRange(Ray.Get(refs));
                foreach (var value in Ray.Get(xs.Select(x => Work.Remote.F(x))))
                {
                    total += value;
                }
        """);

    [Fact]
    public Task Polling_one_actor_is_clean() => Verify("""
                for (var i = 0; i < 10; i++)
                {
                    var seen = Ray.Get(counter.Get());
                    Console.WriteLine(seen);
                }
        """);

    [Fact]
    public Task A_value_the_next_iteration_needs_is_clean() => Verify("""
                var state = 0;
                for (var i = 0; i < 10; i++)
                {
                    state = Ray.Get(Work.Remote.F(state));
                }
                while (!Ray.Get(Work.Remote.Done()))
                {
                }
                while (true)
                {
                    if (Ray.Get(Work.Remote.Done()))
                    {
                        break;
                    }
                }
                total = state;
        """);

    [Fact]
    public Task A_ref_submitted_before_the_loop_or_waited_for_in_a_task_is_clean() => Verify("""
                var early = Work.Remote.F(1);
                var tasks = new List<Task<int>>();
                for (var i = 0; i < 3; i++)
                {
                    total += Ray.Get(early);
                    var j = i;
                    tasks.Add(Task.Run(() => Ray.Get(Work.Remote.F(j))));
                }
        """);
}
