using GenRay.Cluster.Nodes;

namespace GenRay.Cli.Commands;

/// <summary>The hidden <c>__worker</c> command: a job's worker process, started by this machine's node daemon.</summary>
internal static class WorkerCommand
{
    public const string Name = "__worker";

    public static int Run(string[] args) => JobWorkerHost.Run(args);
}
