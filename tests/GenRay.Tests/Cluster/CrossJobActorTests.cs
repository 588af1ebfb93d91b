using System.Diagnostics;
using GenRay.ClusterJobs;
using GenRay.Tests.Support;

namespace GenRay.Tests.Cluster;

/// <summary>
/// Named actors between jobs: a job reaches another job's named actor in a shared namespace (its driver, its
/// tasks, by handle and by name); jobs without a namespace keep their names to themselves, as in Ray; an actor
/// dies for the other jobs when the job that owns it ends, and its name is free again.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CrossJobActorTests(ClusterFixture cluster) : RayTest
{
    private static string Program => typeof(CrossJobActorTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
        .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "NamedActorJob").Value!;

    protected override void Configure(RayOptions options) => ClusterMode.Configure(options, cluster);

    [Fact]
    public async Task Another_job_of_the_namespace_calls_a_named_actor_through_its_owner()
    {
        Start(o => o.Namespace = "tally-room");
        var tally = SharedTally.Remote.With(new ActorOptions { Name = "tally" }).New();
        Assert.Equal(1, await tally.Add(1, "owner"));

        var (exit, output, error) = await Cli.RunDriverAsync(Program, cluster.Address, "use", "tally-room", "tally");

        Assert.True(exit == 0, output + error);
        var lines = output.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Contains("namespace tally-room", lines);
        Assert.Contains("driver add 11", lines);              // from the other job's driver
        Assert.Contains("task with handle 16", lines);        // from its worker, given the handle
        Assert.Contains("task by name 23", lines);            // from its worker, looked up by name
        Assert.Contains("pending argument 26", lines);        // an argument still being computed in the other job
        Assert.Contains("held block 300000 300000", lines);   // a result held by this job's worker, read there and in a task
        Assert.Contains(lines, l => l.StartsWith("second claim refused: An actor named 'tally' already exists in namespace 'tally-room'", StringComparison.Ordinal));

        // Every call ran in this job's one actor, in the order each caller made them.
        Assert.Equal(26, await tally.Total());
        Assert.Equal(["owner+1", "driver+10", "task+5", "lookup+7", "pending+3"], await tally.Entries());
    }

    [Fact]
    public async Task Jobs_without_a_namespace_keep_their_names_to_themselves()
    {
        var ray = Start();
        Assert.StartsWith("anonymous-job-", ray.Namespace);
        SharedTally.Remote.With(new ActorOptions { Name = "private-tally" }).New();
        Assert.Equal(0, await Ray.GetActor<SharedTally>("private-tally").Total()); // found in its own job

        var (exit, output, error) = await Cli.RunDriverAsync(Program, cluster.Address, "use", "-", "private-tally");

        Assert.True(exit == 0, output + error);
        Assert.Contains("lookup failed: No actor named 'private-tally' in namespace 'anonymous-job-", output);
    }

    [Fact]
    public async Task A_named_actor_dies_for_other_jobs_when_its_owner_ends_and_its_name_is_free_again()
    {
        Start(o => o.Namespace = "owned-room");
        using var owner = StartOwner("owned-room", "owned");
        var ready = await ReadLineStartingWith(owner, "ready ");

        var theirs = Ray.GetActor<SharedTally>("owned");
        Assert.Equal(2, await theirs.Add(2, "visitor"));
        Assert.Equal(int.Parse(ready["ready ".Length..], System.Globalization.CultureInfo.InvariantCulture), await theirs.Pid());

        await owner.StandardInput.WriteLineAsync(); // the owning job ends
        Assert.Equal("total 2", await ReadLineStartingWith(owner, "total "));
        await owner.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        Assert.Equal(0, owner.ExitCode);

        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var died = await Assert.ThrowsAsync<ActorDiedException>(() => Ray.GetAsync(theirs.Add(1, "late"), patience.Token));
        Assert.Contains("owner", died.Message);

        // Its name went with its job: this job may take it now.
        var mine = SharedTally.Remote.With(new ActorOptions { Name = "owned" }).New();
        Assert.Equal(5, await mine.Add(5, "new owner"));
    }

    [Fact]
    public async Task Ray_Kill_from_another_job_ends_the_actor_where_it_lives()
    {
        Start(o => o.Namespace = "kill-room");
        using var owner = StartOwner("kill-room", "doomed");
        await ReadLineStartingWith(owner, "ready ");
        var theirs = Ray.GetActor<SharedTally>("doomed");
        Assert.Equal(4, await theirs.Add(4, "visitor"));

        Ray.Kill(theirs);

        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var died = await Assert.ThrowsAsync<ActorDiedException>(() => Ray.GetAsync(theirs.Add(1, "late"), patience.Token));
        Assert.Contains("killed by Ray.Kill from the driver of job-", died.Message);
        await owner.StandardInput.WriteLineAsync();
        var total = await ReadLineStartingWith(owner, "total ");
        Assert.StartsWith("total failed: ", total); // dead in its own job too
        Assert.Contains("killed by Ray.Kill from the driver of job-", total);
    }

    private Process StartOwner(string @namespace, string name)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in new[] { "exec", Program, "own", @namespace, name })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["GENRAY_ADDRESS"] = cluster.Address;
        start.Environment["GENRAY_TOKEN"] = TestCluster.Token;
        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<string> ReadLineStartingWith(Process process, string prefix)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var seen = new List<string>();
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
            seen.Add(line);
        }
        throw new Xunit.Sdk.XunitException($"The job ended without printing '{prefix}…'. It printed:\n{string.Join('\n', seen)}");
    }
}
