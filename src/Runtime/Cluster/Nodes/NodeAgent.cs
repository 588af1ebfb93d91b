using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;

namespace GenRay.Cluster.Nodes;

/// <summary>
/// A node daemon's work for jobs (Ray's raylet): keeps the code jobs ship, by content hash, and starts, ends and
/// answers for each job's worker processes. A worker's stdin is this daemon's pipe, so workers never outlive
/// their node; each job's workers end with the job.
/// </summary>
internal sealed class NodeAgent(DaemonOptions options, string cacheDirectory) : IDisposable
{
    public const string NodeIpVariable = "GENRAY_NODE_IP";
    public const string JobVariable = "GENRAY_JOB_ID";
    public const string CodeVariable = "GENRAY_JOB_CODE";

    private readonly ConcurrentDictionary<(string Job, int Pid), Process> _workers = new();
    private volatile bool _stopped;

    public string CacheDirectory { get; } = Directory.CreateDirectory(cacheDirectory).FullName;

    public int Workers => _workers.Count(w => !HasExited(w.Value));

    public MissingCodeReply Missing(MissingCodeRequest request) =>
        new([.. request.Hashes.Where(h => !File.Exists(PathOf(h)))]);

    public Nothing Put(PutCodeRequest request)
    {
        var path = PathOf(request.Hash);
        var actual = Convert.ToHexString(SHA256.HashData(request.Bytes)).ToLowerInvariant();
        if (actual != request.Hash)
        {
            throw new RayException($"Shipped code arrived damaged: its SHA-256 is {actual}, not {request.Hash}. Nothing was stored; ship it again.");
        }
        if (!File.Exists(path))
        {
            // Written aside and renamed into place: a worker never loads a half-written file, and two jobs
            // shipping the same assembly at once both succeed.
            var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
            File.WriteAllBytes(temporary, request.Bytes);
            File.Move(temporary, path, overwrite: true);
        }
        return new Nothing();
    }

    public async Task<StartWorkerReply> StartWorkerAsync(StartWorkerRequest request, CancellationToken ct)
    {
        if (_stopped)
        {
            throw new RayException("This node is stopping: it starts no more workers.");
        }
        var missing = request.Code.Where(c => !File.Exists(PathOf(c.Hash))).Select(c => c.Name).ToList();
        if (missing.Count > 0)
        {
            throw new RayException($"This node lacks the job's code ({string.Join(", ", missing)}): ship it (MissingCode, PutCode) before starting workers.");
        }
        var start = WorkerLauncher.Prepare(options.WorkerCommand(), request.Index, request.Namespace);
        start.Environment[NodeIpVariable] = options.Host;
        start.Environment[JobVariable] = request.JobId;
        start.Environment[CodeVariable] = string.Join(Path.PathSeparator, request.Code.Select(c => $"{c.Name}={PathOf(c.Hash)}={(c.Remotes ? 1 : 0)}"));
        start.Environment.Remove("GENRAY_ADDRESS"); // a worker serves its driver; it does not connect to the cluster itself
        ClusterSecurity.PassTo(start);

        var process = Process.Start(start) ?? throw new RayException($"Could not start a worker process ({start.FileName}).");
        var key = (request.JobId, process.Id);
        _workers[key] = process;
        var ready = WorkerOutput.Follow(process, $"({request.JobId} worker {request.Index}, pid {process.Id}) ", "; this node's log has its output");
        try
        {
            var address = await ready.WaitAsync(TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
            return new StartWorkerReply(address, process.Id);
        }
        catch (Exception error) when (error is TimeoutException or OperationCanceledException)
        {
            End(key, process, TimeSpan.Zero);
            throw new RayException($"The worker process (pid {process.Id}) did not start within 60 s on this node.");
        }
    }

    public WorkerStateReply Kill(WorkerRequest request)
    {
        if (_workers.TryGetValue((request.JobId, request.Pid), out var process))
        {
            End((request.JobId, request.Pid), process, TimeSpan.Zero);
        }
        return State(request);
    }

    public WorkerStateReply State(WorkerRequest request) =>
        _workers.TryGetValue((request.JobId, request.Pid), out var process) && !HasExited(process)
            ? new WorkerStateReply(true, null)
            : new WorkerStateReply(false, process is not null && HasExited(process) ? process.ExitCode : null);

    /// <summary>The job is over: its workers are told (their stdin closes) and ended if they linger.</summary>
    public Nothing EndJob(JobEndRequest request)
    {
        foreach (var (key, process) in _workers.Where(w => w.Key.Job == request.JobId).ToList())
        {
            End(key, process, TimeSpan.FromSeconds(2));
        }
        return new Nothing();
    }

    private void End((string Job, int Pid) key, Process process, TimeSpan grace)
    {
        try
        {
            process.StandardInput.Close();
        }
        catch (Exception error) when (error is IOException or InvalidOperationException)
        {
        }
        if (grace <= TimeSpan.Zero || !process.WaitForExit(grace))
        {
            try
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(2));
            }
            catch (InvalidOperationException)
            {
            }
        }
        // Kept a while for WorkerState to report the exit; dropped by later sweeps.
        _ = Task.Delay(TimeSpan.FromSeconds(30)).ContinueWith(_ => _workers.TryRemove(key, out Process? _), TaskScheduler.Default);
    }

    private string PathOf(string hash) =>
        hash.Length == 64 && hash.All(char.IsAsciiHexDigitLower)
            ? Path.Combine(CacheDirectory, hash + ".dll")
            : throw new RayException($"'{hash}' is not a SHA-256 content hash (64 lowercase hex digits).");

    private static bool HasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    public void Dispose()
    {
        _stopped = true;
        Parallel.ForEach(_workers.ToList(), w => End(w.Key, w.Value, TimeSpan.FromSeconds(1)));
    }
}
