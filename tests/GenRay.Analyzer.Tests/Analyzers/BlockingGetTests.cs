using GenRay.Generator.Analyzers;
using static GenRay.Analyzer.Tests.Remotes;

namespace GenRay.Analyzer.Tests.Analyzers;

/// <summary>GENRAY0021: blocking in async code.</summary>
public sealed class BlockingGetTests
{
    private static Task Verify(string code) => AnalyzerVerifier<BlockingGetAnalyzer>.VerifyAsync(With(code));

    [Fact]
    public Task GENRAY0021_get_and_wait_in_an_async_method() => Verify("""
        public static class Driver
        {
            public static async Task<int> RunAsync()
            {
                await Task.Yield();
                var refs = new List<ObjectRef<int>> { Work.Remote.F(1) };
                var (ready, _) = {|GENRAY0021:Ray.Wait(refs)|};
                return {|GENRAY0021:Ray.Get(ready[0])|};
            }
        }
        """);

    [Fact]
    public Task GENRAY0021_async_lambdas_and_local_functions() => Verify("""
        public static class Driver
        {
            public static void Run()
            {
                Func<Task<int>> lambda = async () => { await Task.Yield(); return {|GENRAY0021:Ray.Get(Work.Remote.F(1))|}; };
                async Task Local() { await Task.Yield(); {|GENRAY0021:Ray.Get(Work.Remote.Log("x"))|}; }
                _ = lambda;
                _ = Local();
            }
        }
        """);

    [Fact]
    public Task GENRAY0021_async_remote_methods_tasks_and_actor_methods() => Verify("""
        public static partial class Jobs
        {
            [Remote]
            public static async Task<int> Twice(int x)
            {
                await Task.Yield();
                return 2 * {|GENRAY0021:Ray.Get(Work.Remote.F(x))|};
            }
        }

        [Remote]
        public partial class Reader
        {
            public async Task<int> Read()
            {
                await Task.Yield();
                return {|GENRAY0021:Ray.Get(Work.Remote.F(1))|};
            }
        }
        """);

    [Fact]
    public Task GENRAY0021_await_and_sync_code_are_clean() => Verify("""
        public static class Driver
        {
            public static async Task<int> RunAsync()
            {
                var a = await Work.Remote.F(1);
                var b = await Ray.GetAsync(Work.Remote.F(2));
                // A synchronous lambda runs on its own thread: blocking there is not blocking this method.
                var c = await Task.Run(() => Ray.Get(Work.Remote.F(3)));
                return a + b + c;
            }

            public static int Run() => Ray.Get(Work.Remote.F(1));

            public static async Task Main()
            {
                await Task.Yield();
                Console.WriteLine(Ray.Get(Work.Remote.F(1)));
            }
        }
        """);

    [Fact]
    public Task GENRAY0021_top_level_statements_that_await_are_clean()
    {
        var test = new AnalyzerVerifier<BlockingGetAnalyzer>(Usings + """
            var sum = Work.Remote.F(1);
            Console.WriteLine(Ray.Get(Work.Remote.F(2)) + await sum);
            """ + Declarations);
        test.TestState.OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication;
        return test.RunAsync();
    }

    [Fact]
    public Task Blocking_in_synchronous_remote_methods_is_clean() => Verify("""
        public static partial class Jobs
        {
            // Ray's nested-task pattern: GenRay lends the task's CPUs out while it waits.
            [Remote]
            public static int FanOut(int n)
            {
                var refs = new ObjectRef<int>[n];
                for (var i = 0; i < n; i++)
                {
                    refs[i] = Work.Remote.F(i);
                }
                return Ray.Get(refs).Sum();
            }

            // A ref parameter lets a remote decide when, or whether, to fetch (docs/concepts.md).
            [Remote]
            public static int Fetch(ObjectRef<int> pending, bool needed) => needed ? Ray.Get(pending) : 0;
        }
        """);
}
