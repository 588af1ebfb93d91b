using System.Diagnostics;

namespace GenRay.Cluster.Nodes;

/// <summary>
/// The cluster's control state, kept by the head (Ray's GCS): the node table with heartbeats, the jobs (drivers)
/// connected, the named actors of every job, and what each reports of its actors, tasks and objects. A node silent for
/// <see cref="DeadAfter"/> is declared dead; drivers learn it from the node table they fetch every second, and
/// retry its tasks, restart its actors and rebuild its objects elsewhere.
/// </summary>
internal sealed class HeadState : IDisposable
{
    public static readonly TimeSpan DeadAfter = TimeSpan.FromSeconds(5);

    // A driver that stopped reporting for this long is gone (killed, or its machine): its job is marked failed.
    private static readonly TimeSpan DriverSilence = TimeSpan.FromSeconds(15);

    private readonly object _lock = new();
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Job> _jobs = new(StringComparer.Ordinal);
    private readonly NamedActors _names = new();
    private readonly Timer _sweep;
    private int _nextJob;

    public HeadState(string address)
    {
        Address = address;
        _sweep = new Timer(_ => Sweep(), null, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500));
    }

    public string Address { get; set; }

    public RegisterReply Register(RegisterRequest request)
    {
        if (request.Version != Control.Version)
        {
            Log($"refused node at {request.Address}: it runs GenRay {request.Version}, this head {Control.Version}");
            throw new RayException(
                $"This GenRay head runs GenRay {Control.Version}; the node at {request.Address} runs GenRay {request.Version}. " +
                "Start every node of a cluster from the same GenRay version.");
        }
        lock (_lock)
        {
            foreach (var old in _nodes.Values.Where(n => n.Alive && n.Address == request.Address))
            {
                old.Die("a new node registered at its address (it restarted)");
            }
            var id = NewId();
            _nodes[id] = new Node(id, request.Address, request.IsHead, request.Resources, request.Version);
            Log($"node {id} joined at {request.Address} with {Format(request.Resources)}");
            return new RegisterReply(id);
        }
    }

    public HeartbeatReply Heartbeat(HeartbeatRequest request)
    {
        lock (_lock)
        {
            if (!_nodes.TryGetValue(request.NodeId, out var node) || !node.Alive)
            {
                return new HeartbeatReply(false);
            }
            node.Workers = request.Workers;
            node.LastHeartbeat.Restart();
            return new HeartbeatReply(true);
        }
    }

    /// <summary>A node stopping says so, so drivers stop placing work there now rather than after its silence.</summary>
    public HeartbeatReply Leave(HeartbeatRequest request)
    {
        lock (_lock)
        {
            if (_nodes.TryGetValue(request.NodeId, out var node) && node.Alive)
            {
                node.Die("left the cluster (stopped)");
                return new HeartbeatReply(true);
            }
            return new HeartbeatReply(false);
        }
    }

    public JobStartReply StartJob(JobStartRequest request, string peer)
    {
        if (request.Version != Control.Version)
        {
            Log($"refused driver {request.Driver} ({peer}): it runs GenRay {request.Version}, this head {Control.Version}");
            throw new RayException(
                $"This GenRay cluster runs GenRay {Control.Version}; this driver runs GenRay {request.Version}. " +
                "Build the driver against the cluster's GenRay version, or start the cluster from the driver's.");
        }
        lock (_lock)
        {
            var id = $"job-{++_nextJob:x4}";
            _jobs[id] = new Job(id, request.Driver);
            Log($"{id} started by driver {request.Driver}");
            return new JobStartReply(id, NodeInfos());
        }
    }

    public NodesReply Report(JobReport report)
    {
        lock (_lock)
        {
            if (_jobs.TryGetValue(report.JobId, out var job))
            {
                job.Last = report;
                job.LastSeen.Restart();
                if (job.State == "FAILED")
                {
                    job.State = "RUNNING"; // it was only slow
                }
            }
            return new NodesReply(NodeInfos());
        }
    }

    public Nothing EndJob(JobEndRequest request)
    {
        lock (_lock)
        {
            if (_jobs.TryGetValue(request.JobId, out var job))
            {
                job.State = "SUCCEEDED";
                _names.DropJob(job.Id);
                // Nothing runs or waits once a job ended, whatever its last report said a moment before.
                var tasks = new Dictionary<string, int>(job.Last?.Tasks ?? [], StringComparer.Ordinal) { ["PENDING"] = 0, ["RUNNING"] = 0 };
                job.Last = job.Last is null ? null : job.Last with { Tasks = tasks, TaskList = [], Actors = [.. job.Last.Actors.Select(a => a with { State = "DEAD" })], Objects = [], UsedByNode = [] };
                Log($"{job.Id} ended");
            }
            return new Nothing();
        }
    }

    public Nothing ClaimName(NamedActor actor)
    {
        lock (_lock)
        {
            if (!_jobs.TryGetValue(actor.JobId, out var job) || job.State != "RUNNING")
            {
                throw new RayException($"{actor.JobId} is not a running job of this cluster: its driver cannot name actors.");
            }
            _names.Claim(actor);
            return new Nothing();
        }
    }

    public NamedActorReply FindName(ActorNameRequest request)
    {
        lock (_lock)
        {
            return new NamedActorReply(_names.Find(request.Namespace, request.Name));
        }
    }

    public Nothing DropName(NamedActor actor)
    {
        lock (_lock)
        {
            _names.Drop(actor);
            return new Nothing();
        }
    }

    public ClusterStatus Status()
    {
        lock (_lock)
        {
            var live = _jobs.Values.Where(j => j.State == "RUNNING").Select(j => j.Last).OfType<JobReport>().ToList();
            return new ClusterStatus(
                Address,
                Control.Version,
                NodeInfos(),
                [.. _jobs.Values.Select(j => new JobInfo(j.Id, j.Driver, j.State, j.Started, j.Last?.Tasks ?? []))],
                [.. _jobs.Values.SelectMany(j => j.Last?.Actors ?? [])],
                [.. live.SelectMany(j => j.TaskList)],
                [.. live.SelectMany(j => j.Objects)]);
        }
    }

    // Under the lock. What each node has free: its total less what the running jobs report they hold there.
    private List<NodeInfo> NodeInfos()
    {
        var running = _jobs.Values.Where(j => j.State == "RUNNING" && j.Last is not null).Select(j => j.Last!).ToList();
        return [.. _nodes.Values.OrderBy(n => n.IsHead ? 0 : 1).ThenBy(n => n.Id, StringComparer.Ordinal).Select(n =>
        {
            var available = new Dictionary<string, double>(n.Total, StringComparer.Ordinal);
            foreach (var job in running)
            {
                if (job.UsedByNode.TryGetValue(n.Id, out var used))
                {
                    foreach (var (name, amount) in used)
                    {
                        available[name] = available.GetValueOrDefault(name) - amount;
                    }
                }
            }
            return new NodeInfo(n.Id, n.Address, n.IsHead, n.Alive ? "ALIVE" : "DEAD", n.Total, available, n.Workers,
                Math.Round(n.LastHeartbeat.Elapsed.TotalSeconds, 1), n.Version, n.DeathReason);
        })];
    }

    private void Sweep()
    {
        lock (_lock)
        {
            foreach (var node in _nodes.Values)
            {
                if (node.Alive && !node.IsHead && node.LastHeartbeat.Elapsed > DeadAfter)
                {
                    node.Die($"no heartbeat for {DeadAfter.TotalSeconds:0} s");
                }
            }
            foreach (var job in _jobs.Values)
            {
                if (job.State == "RUNNING" && job.LastSeen.Elapsed > DriverSilence)
                {
                    job.State = "FAILED";
                    _names.DropJob(job.Id); // its driver is gone, and its actors with it
                    Log($"{job.Id}: its driver {job.Driver} stopped reporting for {DriverSilence.TotalSeconds:0} s");
                }
            }
        }
    }

    private static string NewId() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();

    internal static string Format(IReadOnlyDictionary<string, double> resources) =>
        string.Join(", ", resources.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key}={r.Value.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)}"));

    private static void Log(string message) => Console.Out.WriteLine($"GenRay head: {message}");

    public void Dispose() => _sweep.Dispose();

    private sealed class Node(string id, string address, bool isHead, Dictionary<string, double> total, string version)
    {
        public string Id { get; } = id;
        public string Address { get; } = address;
        public bool IsHead { get; } = isHead;
        public Dictionary<string, double> Total { get; } = total;
        public string Version { get; } = version;
        public Stopwatch LastHeartbeat { get; } = Stopwatch.StartNew();
        public int Workers { get; set; }
        public bool Alive => DeathReason is null;
        public string? DeathReason { get; private set; }

        public void Die(string why)
        {
            DeathReason = why;
            Log($"node {Id} at {Address} declared dead: {why}");
        }
    }

    private sealed class Job(string id, string driver)
    {
        public string Id { get; } = id;
        public string Driver { get; } = driver;
        public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;
        public Stopwatch LastSeen { get; } = Stopwatch.StartNew();
        public string State { get; set; } = "RUNNING";
        public JobReport? Last { get; set; }
    }
}
