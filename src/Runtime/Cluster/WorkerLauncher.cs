using System.Diagnostics;
using GenRay.Internal;

namespace GenRay.Cluster;

/// <summary>
/// Starts worker processes that can run this program's remotes. An application is started again, itself, in
/// worker mode (its <c>Ray.Init()</c> then serves as a worker instead of returning): the same build, AOT
/// included. A host that is not the application (a test runner) starts GenRay's generic worker host instead,
/// which loads the assemblies that registered remotes. The driver's stdin pipe is each worker's lifeline: when
/// the driver exits or is killed, the pipe closes and the worker exits.
/// </summary>
internal sealed class WorkerLauncher : IWorkerLauncher
{
    public const string WorkerVariable = "GENRAY_WORKER";
    public const string IndexVariable = "GENRAY_WORKER_INDEX";
    public const string DriverVariable = "GENRAY_DRIVER_PID";
    public const string AssembliesVariable = "GENRAY_WORKER_ASSEMBLIES";
    public const string CommandVariable = "GENRAY_WORKER_COMMAND";

    /// <summary>The driver's namespace: its workers look named actors up, and name theirs, in it.</summary>
    public const string NamespaceVariable = "GENRAY_NAMESPACE";
    private const string TieringDelayVariable = "DOTNET_TC_CallCountingDelayMs";

    /// <summary>
    /// Bumped when the messages change (a driver's and its workers', or the cluster's control plane): a driver and
    /// a worker, or a cluster's head, nodes and drivers, of different protocols refuse each other.
    /// </summary>
    public const string ProtocolVersion = "5";

    private readonly ulong _driver;
    private readonly string _namespace;

    // Every process started, so stopping can end one that had not joined yet (a replacement still starting).
    private readonly System.Collections.Concurrent.ConcurrentQueue<Process> _started = new();

    public WorkerLauncher(ulong driver, string @namespace)
    {
        _driver = driver;
        _namespace = @namespace;
    }

    /// <summary>Kills every process this launcher started that is still running.</summary>
    public void KillStarting()
    {
        foreach (var process in _started)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
            catch (InvalidOperationException)
            {
                // Exited meanwhile.
            }
        }
    }

    public Task<WorkerStart> StartAsync(int index)
    {
        var start = Prepare(Command(), index, _namespace);
        var process = Process.Start(start) ?? throw new RayException($"Could not start worker process {start.FileName}.");
        _started.Enqueue(process);
        return Joined(process);
    }

    /// <summary>
    /// What every worker process is started with, here or by a cluster node: its pipes (stdin is its lifeline,
    /// stdout carries its ready line), worker mode and index, the pid of the process that started it, and
    /// workstation GC (a node runs several workers), the driver's namespace, and a short tiering delay (below).
    /// </summary>
    public static ProcessStartInfo Prepare(ProcessStartInfo start, int index, string @namespace)
    {
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.Environment[WorkerVariable] = "1";
        start.Environment[IndexVariable] = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment[DriverVariable] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment[NamespaceVariable] = @namespace;
        // The JIT optimizes a hot method only after 100 ms in which no new method was compiled; a worker that has
        // just started keeps compiling new methods for seconds, so its hot path ran unoptimized through the first
        // seconds of every job (bursts of no-op tasks: 180,000–290,000 tasks/s over the benchmark's first 8 s, against
        // 340,000–450,000 with a 10 ms delay). Not 0: then a worker also optimizes its start-up code at once, which
        // short jobs pay for (the runtime test suite, hundreds of short-lived workers, took 7:51 at 0, 6:54 at 10 ms
        // and 5:59 at 100 ms; the benchmark's warm-up gained the same at 10 ms as at 0). A value the user set is kept.
        start.Environment.TryAdd(TieringDelayVariable, "10");
        return start;
    }

    private static async Task<WorkerStart> Joined(Process process) =>
        new(WorkerProcess.Of(process), await WorkerOutput.Follow(process, $"(pid={process.Id}) ", "").ConfigureAwait(false), null);

    private static ProcessStartInfo Command()
    {
        if (Environment.GetEnvironmentVariable(CommandVariable) is { Length: > 0 } custom)
        {
            var parts = custom.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var info = new ProcessStartInfo(parts[0]);
            foreach (var part in parts.Skip(1))
            {
                info.ArgumentList.Add(part);
            }
            return info;
        }
        var entry = System.Reflection.Assembly.GetEntryAssembly();
        if (entry is not null && RemoteRegistry.HasRemotes(entry))
        {
            return Relaunch(entry);
        }
        return GenericHost();
    }

    // The application itself, with the arguments it was started with.
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("SingleFile", "IL3000",
        Justification = "Location is read only when the dotnet host runs the entry assembly from a file, never in a single-file or AOT app.")]
    private static ProcessStartInfo Relaunch(System.Reflection.Assembly entry)
    {
        var path = Environment.ProcessPath ?? throw new RayException("Cannot tell which executable this process runs, to start workers from it.");
        var info = new ProcessStartInfo(path);
        var arguments = Environment.GetCommandLineArgs();
        if (IsDotnetHost(path))
        {
            info.ArgumentList.Add("exec");
            info.ArgumentList.Add(entry.Location);
        }
        foreach (var argument in arguments.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }
        return info;
    }

    // GenRay's worker host, loading every assembly that registered remotes (a test assembly, say).
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("SingleFile", "IL3000",
        Justification = "The generic host loads assemblies from files; a single-file or AOT app relaunches itself instead.")]
    private static ProcessStartInfo GenericHost()
    {
        var host = Path.Combine(AppContext.BaseDirectory, "GenRay.Worker.dll");
        if (!File.Exists(host))
        {
            throw new RayException(
                "This process is not a GenRay application (its entry assembly has no [Remote] code) and GenRay's worker host " +
                $"(GenRay.Worker.dll) is not next to it in {AppContext.BaseDirectory}. Reference the GenRay.Worker project, " +
                $"or set {CommandVariable} to the command that starts a worker.");
        }
        var assemblies = RemoteRegistry.Assemblies.Select(a => a.Location).Where(l => l.Length > 0).ToList();
        var info = new ProcessStartInfo(IsDotnetHost(Environment.ProcessPath ?? "") ? Environment.ProcessPath! : "dotnet");
        info.ArgumentList.Add("exec");
        // Resolve dependencies as the remotes' own application does (its deps.json and runtime configuration).
        var app = assemblies.Select(a => Path.ChangeExtension(a, null)).FirstOrDefault(a => File.Exists(a + ".runtimeconfig.json") && File.Exists(a + ".deps.json"));
        if (app is not null)
        {
            info.ArgumentList.Add("--runtimeconfig");
            info.ArgumentList.Add(app + ".runtimeconfig.json");
            info.ArgumentList.Add("--depsfile");
            info.ArgumentList.Add(app + ".deps.json");
        }
        info.ArgumentList.Add(host);
        info.Environment[AssembliesVariable] = string.Join(Path.PathSeparator, assemblies);
        return info;
    }

    private static bool IsDotnetHost(string path) =>
        Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
}
