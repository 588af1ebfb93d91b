using System.Text.Json;

namespace GenRay.Benchmarks.Tests;

/// <summary>
/// <c>--median</c>: the tables of docs/benchmarks.md made from full runs' JSON. Each figure is the median of the
/// runs, the baselines are medians of what the same runs measured, and runs that do not make one table are refused
/// with what to do.
/// </summary>
public sealed class MedianTableTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("genray-median-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Each_metric_shows_the_median_of_the_runs_every_run_and_the_baselines_medians()
    {
        var runs = new[]
        {
            RunFile("a", "workers:2", tasks: 100_000, rounds: [90_000, 110_000], baseline: 40_000, bytes: 600, cpu: 30),
            RunFile("b", "workers:2", tasks: 300_000, rounds: [280_000, 320_000], baseline: 60_000, bytes: 640, cpu: 10),
            RunFile("c", "workers:2", tasks: 200_000, rounds: [150_000, 250_000], baseline: 50_000, bytes: 620, cpu: 20),
        };

        var (exit, output) = BenchmarksProcess.Run(["--median", .. runs]);

        Assert.True(exit == 0, output);
        Assert.Contains("### workers:2 — median of 3 runs, 2 cores, Test CPU, .NET 10.0.0", output);
        Assert.Contains("| metric | GenRay (median) | runs | last 2 rounds (median) |", output);
        // median 200,000 of the three; its rounds' tail (median of 100 k, 300 k, 200 k); alloc and CPU medians;
        // Ray's 981 and 200,000 / 981; the baseline's median (50,000) and 200,000 / 50,000.
        Assert.Contains(
            "| single_client_tasks_sync | 200,000 ops/s | 100,000 / 300,000 / 200,000 | 200,000 | 620 | 20 | 981 | 203.9× | 50,000 (Unix socket ping-pong) | 4.00 |",
            output);
        Assert.Contains("| single_client_put_gigabytes | 15,000,000 GB/s | 1e+07 / 2e+07 / 1.5e+07 | 1.5e+07 | 80 | — | 19.9 | 753,768.8× | — | — |", output);
    }

    [Fact]
    public void In_process_runs_have_no_rounds_column()
    {
        var runs = new[]
        {
            RunFile("a", "inprocess", tasks: 1_000_000, rounds: [1_000_000], baseline: 250_000, bytes: 128, cpu: 1),
            RunFile("b", "inprocess", tasks: 2_000_000, rounds: [2_000_000], baseline: 250_000, bytes: 128, cpu: 1),
        };

        var (exit, output) = BenchmarksProcess.Run(["--median", .. runs]);

        Assert.True(exit == 0, output);
        Assert.Contains("| metric | GenRay (median) | runs | alloc B/op |", output);
        Assert.Contains("| single_client_tasks_sync | 1,500,000 ops/s | 1e+06 / 2e+06 | 128 | 1 | 981 | 1,529.1× | 250,000 (Unix socket ping-pong) | 6.00 |", output);
    }

    [Fact]
    public void Runs_that_do_not_make_one_table_are_refused_saying_why()
    {
        var workers = RunFile("w", "workers:2", tasks: 1, rounds: [1], baseline: 1, bytes: 1, cpu: 1);
        var inProcess = RunFile("i", "inprocess", tasks: 1, rounds: [1], baseline: 1, bytes: 1, cpu: 1);
        var quick = RunFile("q", "workers:2", tasks: 1, rounds: [1], baseline: 1, bytes: 1, cpu: 1, quick: true);
        var fewer = RunFile("f", "workers:2", tasks: 1, rounds: [1], baseline: 1, bytes: 1, cpu: 1, withPut: false);
        var notJson = Path.Combine(_folder, "notes.json");
        File.WriteAllText(notJson, "| a table, not a run |");

        AssertRefused(["--median"], "needs the JSON files of full runs");
        AssertRefused(["--median", workers, inProcess], "one table is one mode's runs");
        AssertRefused(["--median", workers, quick], "is a --quick run");
        AssertRefused(["--median", workers, fewer], "ran different metrics (single_client_put_gigabytes)");
        AssertRefused(["--median", workers, notJson], "is not the JSON of a benchmark run");
        AssertRefused(["--median", Path.Combine(_folder, "missing.json")], "Cannot read");
    }

    private static void AssertRefused(string[] arguments, string because)
    {
        var (exit, output) = BenchmarksProcess.Run(arguments);
        Assert.Equal(2, exit);
        Assert.Contains(because, output);
    }

    private string RunFile(string name, string mode, double tasks, double[] rounds, double baseline, double bytes, double cpu, bool quick = false, bool withPut = true)
    {
        var results = new List<object>
        {
            new Dictionary<string, object>
            {
                ["name"] = "single_client_tasks_sync", ["unit"] = "ops/s", ["mean"] = tasks, ["std"] = 0, ["rounds"] = rounds,
                ["bytes_per_op"] = bytes, ["cpu_us_per_op"] = cpu, ["ray_published"] = 981,
                ["baselines"] = new[] { new Dictionary<string, object> { ["name"] = "Unix socket ping-pong", ["mean"] = baseline } },
            },
        };
        if (withPut)
        {
            // no CPU figure (a run off Linux), no baselines, and Ray's figure not a whole number
            var gigabytes = tasks is 100_000 or 1 ? 1e7 : tasks is 300_000 ? 2e7 : 1.5e7;
            results.Add(new Dictionary<string, object>
            {
                ["name"] = "single_client_put_gigabytes", ["unit"] = "GB/s", ["mean"] = gigabytes, ["std"] = 0,
                ["rounds"] = new[] { gigabytes }, ["bytes_per_op"] = 80, ["ray_published"] = 19.9, ["baselines"] = Array.Empty<object>(),
            });
        }
        var path = Path.Combine(_folder, name + ".json");
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["mode"] = mode, ["quick"] = quick, ["machine"] = "2 cores, Test CPU, .NET 10.0.0", ["cores"] = 2,
            ["date"] = "2026-12-07T05:30:08.85+00:00", ["results"] = results,
        }));
        return path;
    }
}
