using System.Diagnostics;
using System.Globalization;

namespace GenRay.Tests.Cluster;

/// <summary>Two jobs on one cluster at once: the nodes grant their resources across jobs, so together they never overfill a node.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SharingTests(SharingTests.Cluster cluster) : IClassFixture<SharingTests.Cluster>
{
    private static readonly string Program = typeof(SharingTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
        .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "SharingJob").Value!;

    [Fact]
    public async Task Two_jobs_at_once_never_run_more_tasks_on_a_node_than_its_CPUs()
    {
        // Two rounds of 6 tasks of 400 ms each, 3 s apart: while one job pauses, its holdings idle and go to the other.
        var runs = await Task.WhenAll(Run("6", "2", "400", "3000"), Run("6", "2", "400", "3000"));

        var spans = new List<List<Span>>();
        foreach (var (exit, output) in runs)
        {
            Assert.True(exit == 0, output);
            spans.Add(Spans(output));
            Assert.Equal(12, spans[^1].Count);
        }
        var all = spans.SelectMany(s => s).ToList();
        var cpus = cluster.CpusByDaemon();
        Assert.Equal(cpus.Keys.Order(), all.Select(s => s.Node).Distinct().Order()); // both nodes served
        foreach (var (node, count) in cpus)
        {
            var most = MostAtOnce(all.Where(s => s.Node == node));
            Assert.True(most <= count, $"node (daemon pid {node}) ran {most} tasks at once with {count} CPUs:\n{string.Join("\n", runs.Select(r => r.Output))}");
        }
        // Not one job after the other: each ran tasks before the other's last ended.
        Assert.True(spans.Max(s => s.Min(t => t.Start)) < spans.Min(s => s.Max(t => t.End)), string.Join("\n", runs.Select(r => r.Output)));
    }

    [Fact]
    public async Task A_driver_killed_does_not_keep_the_nodes_resources()
    {
        // Three tasks of a minute fill both nodes (1 + 2 CPUs) for the first job, which is then killed without a word.
        using var first = StartDriver("3", "1", "60000", "0");
        WaitUntilNoCpuIsFree();
        first.Kill(); // SIGKILL: no Ray.Shutdown, no EndJob
        var killed = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await first.WaitForExitAsync();

        var (exit, output) = await Run("3", "1", "100", "0");

        Assert.True(exit == 0, output);
        var spans = Spans(output);
        Assert.Equal(3, spans.Count);
        // Its grants expired within 10 s of the driver's last renewal, so the second job got them soon after.
        var waited = spans.Min(s => s.Start) - killed;
        Assert.True(waited < 20_000, $"the second job's first task started {waited} ms after the first driver was killed:\n{output}");
    }

    private void WaitUntilNoCpuIsFree()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var status = Cli.Status(cluster.Home, TestCluster.Token, cluster.Address);
            var free = status.RootElement.GetProperty("nodes").EnumerateArray().Sum(n => n.GetProperty("available").GetProperty("CPU").GetDouble());
            if (free == 0)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"the first job never used every CPU:\n{status.RootElement}");
            Thread.Sleep(200);
        }
    }

    private async Task<(int Exit, string Output)> Run(params string[] args)
    {
        var (exit, output, error) = await Cli.RunDriverAsync(Program, cluster.Address, args);
        return (exit, output + error);
    }

    private Process StartDriver(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "exec", Program }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["GENRAY_ADDRESS"] = cluster.Address;
        start.Environment["GENRAY_TOKEN"] = TestCluster.Token;
        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    private static List<Span> Spans(string output) =>
        [.. output.Split('\n').Where(l => l.StartsWith("span ", StringComparison.Ordinal)).Select(l =>
        {
            var parts = l.Trim().Split(' ');
            return new Span(int.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture), long.Parse(parts[3], CultureInfo.InvariantCulture));
        })];

    // The most spans open at one moment: one ending at the moment another starts is not counted with it.
    private static int MostAtOnce(IEnumerable<Span> spans)
    {
        var events = spans.SelectMany(s => new[] { (At: s.Start, Change: 1), (At: s.End, Change: -1) }).OrderBy(e => e.At).ThenBy(e => e.Change);
        var (open, most) = (0, 0);
        foreach (var (_, change) in events)
        {
            open += change;
            most = Math.Max(most, open);
        }
        return most;
    }

    private sealed record Span(int Node, long Start, long End);

    /// <summary>A head with 1 CPU and a node with 2: what each node may run at once is known.</summary>
    public sealed class Cluster() : TestCluster(["--num-cpus", "1"], (["--num-cpus", "2"], null))
    {
        public Dictionary<int, int> CpusByDaemon() => Daemons.ToDictionary(d => d.Pid, d => d.Role == "head" ? 1 : 2);
    }
}
