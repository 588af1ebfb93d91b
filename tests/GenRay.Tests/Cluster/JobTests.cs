using System.Text.RegularExpressions;

namespace GenRay.Tests.Cluster;

/// <summary>Jobs as separate driver programs on one cluster: each ships its own code.</summary>
[Collection(ClusterCollection.Name)]
public sealed partial class JobTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Two_jobs_with_different_versions_of_one_assembly_run_at_once_each_with_its_own()
    {
        var editions = typeof(JobTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "VersionedJobs").Value!
            .Split(';').OrderBy(p => p, StringComparer.Ordinal).ToList(); // ...V1/... before ...V2/...
        Assert.Equal(2, editions.Count);

        var runs = await Task.WhenAll(editions.Select(Run));

        for (var i = 0; i < 2; i++)
        {
            var (exit, output) = runs[i];
            Assert.True(exit == 0, output);
            var lines = output.Split('\n').Where(l => l.StartsWith("ran ", StringComparison.Ordinal)).ToList();
            Assert.Equal(4, lines.Count);
            Assert.All(lines, line =>
            {
                Assert.Contains($"ran edition-{i + 1} {i + 1}.0.0.0 in 'GenRay job job-", line); // its own build, in its job's load context
                Assert.Contains("collectible=True", line);
            });
        }
        // Both ran at once: each started before the other ended.
        var spans = runs.Select(r => (Start: Stamp(r.Output, "started"), End: Stamp(r.Output, "ended"))).ToList();
        Assert.True(spans[0].Start < spans[1].End && spans[1].Start < spans[0].End, string.Join("\n", runs.Select(r => r.Output)));
    }

    private static long Stamp(string output, string what) => long.Parse(Regex.Match(output, $@"{what} (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    private async Task<(int Exit, string Output)> Run(string program)
    {
        var (exit, output, error) = await Cli.RunDriverAsync(program, cluster.Address);
        return (exit, output + error);
    }
}
