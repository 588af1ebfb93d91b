using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;
using GenRay.Scheduling;

namespace GenRay.Cluster.Nodes;

/// <summary>
/// A driver's job on a cluster (<c>RayOptions.Address</c>): registered with the head, its code collected for
/// shipping, the nodes it may place work on and what they granted it. Every second it reports its tasks, actors
/// and objects to the head and gets the node table back, which is how it learns that a node died.
/// </summary>
internal sealed class ClusterSession : IDisposable
{
    private static readonly TimeSpan ReportPeriod = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private readonly GrpcChannel _head;
    private Timer? _reports;
    private Func<JobReport>? _report;
    private Action<NodeSlot, string>? _nodeLost;
    private int _reporting;
    private bool _ended;

    private ClusterSession(string headAddress, GrpcChannel head, string jobId, JobCode code, NodePlacement placement, string @namespace)
    {
        HeadAddress = headAddress;
        _head = head;
        JobId = jobId;
        Code = code;
        Placement = placement;
        Namespace = @namespace;
        Grants = new NodeGrants(this);
        placement.GiveBack = Grants.GiveBack;
    }

    public string HeadAddress { get; }

    public string JobId { get; }

    public JobCode Code { get; }

    public NodePlacement Placement { get; }

    /// <summary>Asks nodes for resources, gives idle ones back, renews the rest.</summary>
    public NodeGrants Grants { get; }

    public string Namespace { get; }

    /// <summary>Joins the cluster at <paramref name="address"/> as a new job.</summary>
    /// <remarks>
    /// A job given no namespace gets one of its own, as Ray gives each job an anonymous namespace: its named actors
    /// are private to it. Jobs that share a namespace share named actors.
    /// </remarks>
    public static ClusterSession Connect(string address, string? @namespace)
    {
        ClusterSecurity.Use(ClusterCredentials.FromEnvironment());
        var code = JobCode.Collect();
        var head = NodeServer.OpenChannel(address);
        JobStartReply reply;
        try
        {
            reply = Control.Call(head, Control.JobStart, new JobStartRequest($"{Environment.MachineName} pid {Environment.ProcessId}", Control.Version),
                ControlJson.Default.JobStartRequest, ControlJson.Default.JobStartReply, TimeSpan.FromSeconds(15));
        }
        catch (RayException error)
        {
            head.Dispose();
            throw new RayException($"Could not connect to the GenRay cluster at {address}: {error.Message}", error);
        }
        var alive = reply.Nodes.Where(n => n.State == "ALIVE").ToList();
        if (alive.Count == 0)
        {
            head.Dispose();
            throw new RayException($"The GenRay cluster at {address} has no live node to run work on.");
        }
        // Every node accounts every resource name the cluster has (0 where it lacks one), so one resolved request
        // means the same on each node and on the cluster's totals.
        var names = alive.SelectMany(n => n.Total.Keys).Where(k => k != NodeResources.Cpu).Distinct(StringComparer.Ordinal).ToList();
        var slots = alive.Select(n => new NodeSlot(n.Id, n.Address, n.Total, names)).ToList();
        return new ClusterSession(address, head, reply.JobId, code, new NodePlacement(slots), @namespace ?? $"anonymous-{reply.JobId}");
    }

    /// <summary>The cluster's totals: what the driver admits work against (each piece then goes to one node).</summary>
    public (double Cpus, Dictionary<string, double> Custom) Totals()
    {
        var custom = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var node in Placement.Nodes)
        {
            foreach (var (name, amount) in node.Total.Where(t => t.Key != NodeResources.Cpu))
            {
                custom[name] = custom.GetValueOrDefault(name) + amount;
            }
        }
        return (Placement.Nodes.Sum(n => n.Total.GetValueOrDefault(NodeResources.Cpu)), custom);
    }

    /// <summary>The address this driver's endpoint should listen on: <c>GENRAY_NODE_IP</c>, else the one it reaches the head from.</summary>
    public IPAddress LocalAddress()
    {
        if (Environment.GetEnvironmentVariable(NodeAgent.NodeIpVariable) is { Length: > 0 } configured)
        {
            return NodeDaemon.Bind(configured);
        }
        var colon = HeadAddress.LastIndexOf(':');
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Connect(HeadAddress[..colon], int.Parse(HeadAddress[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        return ((IPEndPoint)probe.LocalEndPoint!).Address;
    }

    public GrpcChannel Channel(string address) => _channels.GetOrAdd(address, NodeServer.OpenChannel);

    /// <summary>
    /// Starts the periodic report, and the grants' returns and renewals (on their own timer: a slow head must not
    /// hold back renewals); <paramref name="nodeLost"/> hears of each node the head declares dead.
    /// </summary>
    public void Attach(Func<JobReport> report, Action<NodeSlot, string> nodeLost)
    {
        _report = report;
        _nodeLost = nodeLost;
        _reports = new Timer(_ => Report(), null, TimeSpan.Zero, ReportPeriod);
        Grants.Start();
    }

    private void Report()
    {
        if (Interlocked.Exchange(ref _reporting, 1) == 1 || _report is null)
        {
            return; // the previous report is still on its way
        }
        try
        {
            var nodes = Control.Call(_head, Control.JobReport, _report(), ControlJson.Default.JobReport, ControlJson.Default.NodesReply, TimeSpan.FromSeconds(5));
            foreach (var info in nodes.Nodes.Where(n => n.State != "ALIVE"))
            {
                if (Placement.Nodes.FirstOrDefault(n => n.Id == info.Id) is { } node)
                {
                    NodeLost(node, $"was declared dead by the head ({info.DeathReason})");
                }
            }
        }
        catch (RayException error)
        {
            Console.Error.WriteLine($"GenRay: reporting to the head at {HeadAddress} failed: {error.Message}");
        }
        finally
        {
            Volatile.Write(ref _reporting, 0);
        }
    }

    /// <summary>Claims a named actor's name across the cluster; throws, saying whose it is, when another job's actor holds it.</summary>
    public void ClaimName(NamedActor actor) =>
        Control.Call(_head, Control.ClaimName, actor, ControlJson.Default.NamedActor, ControlJson.Default.Nothing, TimeSpan.FromSeconds(10));

    /// <summary>The named actor another job of the cluster created, or null.</summary>
    public NamedActor? FindName(string @namespace, string name) =>
        Control.Call(_head, Control.FindName, new ActorNameRequest(@namespace, name), ControlJson.Default.ActorNameRequest, ControlJson.Default.NamedActorReply, TimeSpan.FromSeconds(10)).Actor;

    /// <summary>A named actor died: its name is free (in the background; the job's end frees it anyway).</summary>
    public void DropName(NamedActor actor)
    {
        if (_ended)
        {
            return;
        }
        // The head gone, or this job ended meanwhile, the name is freed anyway.
        _ = Task.Run(() => Control.TellAsync(_head, Control.DropName, actor, ControlJson.Default.NamedActor, TimeSpan.FromSeconds(10)));
    }

    /// <summary>A node is gone: nothing more is placed there, and the driver gives up its workers there.</summary>
    public void NodeLost(NodeSlot node, string why)
    {
        if (node.Die(why))
        {
            Console.Error.WriteLine($"GenRay: node {node.Id} at {node.Address} {why}; its work goes to other nodes.");
            _nodeLost?.Invoke(node, why);
            Placement.RunWaiting();
        }
    }

    /// <summary>Asks every live node to end this job's workers (those still starting included) and take back all it granted the job.</summary>
    public void EndJobOnNodes()
    {
        Parallel.ForEach(Placement.Nodes.Where(n => n.IsAlive), node =>
        {
            try
            {
                Control.Call(Channel(node.Address), Control.EndJob, new JobEndRequest(JobId), ControlJson.Default.JobEndRequest, ControlJson.Default.Nothing, TimeSpan.FromSeconds(5));
            }
            catch (RayException)
            {
                // Gone: its workers went with it.
            }
        });
    }

    public void Dispose()
    {
        if (_ended)
        {
            return;
        }
        _ended = true;
        _reports?.Dispose();
        Grants.Dispose(); // what the job holds went back when the nodes ended it (EndJobOnNodes)
        // The job's workers were ended by the driver's stop (the launcher's KillStarting asks every node): only the head is left to tell.
        try
        {
            Control.Call(_head, Control.JobEnd, new JobEndRequest(JobId), ControlJson.Default.JobEndRequest, ControlJson.Default.Nothing, TimeSpan.FromSeconds(5));
        }
        catch (RayException)
        {
            // The head is gone; nothing to tell.
        }
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
        _head.Dispose();
    }
}
