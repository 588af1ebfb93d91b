using System.Runtime.CompilerServices;

namespace GenRay.Cluster.Nodes;

/// <summary>
/// A job's worker process on a node (<c>genray __worker</c>): loads the job's shipped assemblies into the job's
/// collectible load context, runs the registrations of those that hold remotes, and serves as one of the job's
/// workers until its driver is done (then the process, and the job's code with it, goes away).
/// </summary>
internal static class JobWorkerHost
{
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026",
        Justification = "The worker host is the genray tool, a regular (untrimmed) .NET build: jobs' code is loaded from files by design.")]
    public static int Run(string[] args)
    {
        var job = Environment.GetEnvironmentVariable(NodeAgent.JobVariable);
        var code = Environment.GetEnvironmentVariable(NodeAgent.CodeVariable);
        if (job is null || code is null || !WorkerNode.IsWorkerProcess)
        {
            Console.Error.WriteLine("genray __worker is started by a GenRay node for a job; it is not run by hand.");
            return 2;
        }
        var files = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var remotes = new List<string>();
        foreach (var entry in code.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split('=');
            files[parts[0]] = parts[1];
            if (parts.Length > 2 && parts[2] == "1")
            {
                remotes.Add(parts[0]);
            }
        }
        var context = new JobLoadContext(job, files);
        foreach (var name in remotes)
        {
            if (JobLoadContext.ProvidedByHost(name))
            {
                continue; // registered already, by the host's own copy
            }
            var assembly = context.LoadFromAssemblyPath(files[name]);
            RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
        }
        using (context.EnterContextualReflection())
        {
            Ray.Init(); // serves until the driver is done, then exits the process
        }
        return 0;
    }
}
