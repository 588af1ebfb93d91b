using System.Text.Json;

namespace GenRay.Benchmarks.Tests;

/// <summary>
/// The microbenchmark's <c>--quick</c> mode as CI's smoke test: in each mode every metric of Ray's suite runs and
/// reports a positive figure, and the JSON carries them. Nothing about speed is asserted: that is what the full
/// run and docs/benchmarks.md are for.
/// </summary>
public sealed class QuickRunTests
{
    /// <summary>Ray's microbenchmark metrics (ray_perf.py), every one of which the suite must port.</summary>
    private static readonly string[] s_rayMetrics =
    [
        "single_client_tasks_sync", "single_client_tasks_async", "multi_client_tasks_async",
        "single_client_tasks_and_get_batch", "single_client_wait_1k_refs", "1_1_actor_calls_sync",
        "1_1_actor_calls_async", "1_1_actor_calls_concurrent", "1_n_actor_calls_async", "n_n_actor_calls_async",
        "n_n_actor_calls_with_arg_async", "1_1_async_actor_calls_sync", "1_1_async_actor_calls_async",
        "single_client_get_calls", "single_client_put_calls", "multi_client_put_calls", "single_client_put_gigabytes",
        "single_client_get_object_containing_10k_refs",
    ];

    /// <summary>The task and actor metrics whose targets are multiples of Orleans: each is timed as Orleans grains too.</summary>
    private static readonly string[] s_orleansCompared =
    [
        "single_client_tasks_sync", "single_client_tasks_async", "multi_client_tasks_async", "1_1_actor_calls_sync",
        "1_1_actor_calls_await", "1_1_actor_calls_async", "1_n_actor_calls_async", "n_n_actor_calls_async",
        "1_1_async_actor_calls_sync", "1_1_async_actor_calls_async",
    ];

    [Theory]
    [InlineData("inprocess")]
    [InlineData("workers:2")]
    public void Every_metric_runs_and_reports_a_positive_figure(string mode)
    {
        var json = Path.Combine(Path.GetTempPath(), $"genray-bench-{Guid.NewGuid():N}.json");
        try
        {
            var (exit, output) = BenchmarksProcess.Run("--quick", "--mode", mode, "--json", json);
            Assert.True(exit == 0, $"the benchmarks exited with {exit}:\n{output}");

            using var document = JsonDocument.Parse(File.ReadAllText(json));
            Assert.Equal(mode, document.RootElement.GetProperty("mode").GetString());
            var results = document.RootElement.GetProperty("results").EnumerateArray()
                .ToDictionary(r => r.GetProperty("name").GetString()!, r => r.GetProperty("mean").GetDouble());
            Assert.All(s_rayMetrics, name => Assert.True(results.ContainsKey(name), $"{name} did not run:\n{output}"));
            Assert.All(results, r => Assert.True(r.Value > 0, $"{r.Key} reported {r.Value}:\n{output}"));
            Assert.All(s_rayMetrics, name => Assert.Contains($"| {name} |", output)); // and the table shows them
            // Each round's figure is kept (warm-up shows in them), and the mean is theirs.
            Assert.All(document.RootElement.GetProperty("results").EnumerateArray(), r =>
            {
                var rounds = r.GetProperty("rounds").EnumerateArray().Select(x => x.GetDouble()).ToList();
                Assert.NotEmpty(rounds);
                Assert.All(rounds, round => Assert.True(round > 0, $"{r.GetProperty("name")} had a round of {round}"));
                Assert.Equal(rounds.Average(), r.GetProperty("mean").GetDouble(), tolerance: rounds.Average() * 1e-9);
            });
            // Orleans does the same work beside GenRay in the same run: in this process, or a client calling a silo process.
            var orleansKind = mode == "inprocess" ? "Orleans in one process" : "Orleans client → silo process";
            Assert.All(s_orleansCompared, name =>
            {
                var result = document.RootElement.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("name").GetString() == name);
                var orleans = result.GetProperty("baselines").EnumerateArray()
                    .Where(b => b.GetProperty("name").GetString()!.StartsWith(orleansKind, StringComparison.Ordinal)).ToList();
                Assert.True(orleans.Count == 1, $"{name} has no {orleansKind} baseline:\n{output}");
                Assert.True(orleans[0].GetProperty("mean").GetDouble() > 0, $"{name}: Orleans reported {orleans[0].GetProperty("mean")}:\n{output}");
            });
            if (OperatingSystem.IsLinux())
            {
                // CPU per op of the driver and its workers, read from /proc: there for every metric; quick rounds are
                // shorter than some ticks of the kernel's CPU clock, so only the total must show work done.
                var cpu = document.RootElement.GetProperty("results").EnumerateArray()
                    .Select(r => r.TryGetProperty("cpu_us_per_op", out var micros) ? micros.GetDouble() : -1).ToList();
                Assert.All(cpu, micros => Assert.True(micros >= 0, $"a metric reported no CPU per op:\n{output}"));
                Assert.True(cpu.Sum() > 0, $"no CPU time was counted:\n{output}");
            }
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Fact]
    public void A_wrong_argument_is_refused_with_the_usage()
    {
        var (exit, output) = BenchmarksProcess.Run("--mode", "threads");

        Assert.NotEqual(0, exit);
        Assert.Contains("use inprocess, workers:N", output);
    }
}
