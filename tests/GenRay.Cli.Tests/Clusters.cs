using GenRay.Cli.Commands;
using GenRay.Cluster.Nodes;

namespace GenRay.Cli.Tests;

/// <summary>A cluster's status as a head would report it, built by hand: rendering needs no cluster.</summary>
internal static class Clusters
{
    public static ClusterStatus ThreeNodes() => new(
        Head: "10.0.0.1:6380",
        Version: "0.1.0",
        Nodes:
        [
            new("n-head", "10.0.0.1:6380", true, "ALIVE", new() { ["CPU"] = 4, ["gpu"] = 1 }, new() { ["CPU"] = 3, ["gpu"] = 1 }, 2, 0.3, "0.1.0", null),
            new("n-2", "10.0.0.2:41000", false, "ALIVE", new() { ["CPU"] = 8 }, new() { ["CPU"] = 0.5 }, 4, 1.5, "0.1.0", null),
            new("n-3", "10.0.0.3:41000", false, "DEAD", new() { ["CPU"] = 2 }, new() { ["CPU"] = 2 }, 0, 7.2, "0.1.0", "no heartbeat for 5 s"),
        ],
        Jobs: [new("job-1", "laptop:4242", "RUNNING", new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero), new() { ["FINISHED"] = 9, ["RUNNING"] = 2, ["FAILED"] = 0 })],
        Actors:
        [
            new("a-1", "Counter", "main", "ALIVE", "n-2", "job-1"),
            new("a-2", "Counter", null, "RESTARTING", null, "job-1"),
        ],
        Tasks:
        [
            new("t-1", "Work.Add", "RUNNING", "n-2", "job-1"),
            new("t-2", "Work.Add", "FINISHED", "n-head", "job-1"),
            new("t-3", "Work.Add", "FINISHED", "n-2", "job-1"),
        ],
        Objects: [new("o-1", 3 * 1024 * 1024, "n-2", "31337", "job-1"), new("o-2", 512, null, "driver", "job-1")]);

    public static ClusterStatus Empty() => new("127.0.0.1:6380", "0.1.0", [], [], [], [], []);

    /// <summary>A head that answers with <paramref name="status"/> and notes whom it was asked as.</summary>
    public static StatusSource Answering(ClusterStatus status, List<(string Address, ClusterCredentials Credentials)>? asked = null) =>
        (address, credentials, _) =>
        {
            asked?.Add((address, credentials));
            return Task.FromResult(status);
        };
}
