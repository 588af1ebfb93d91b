using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace GenRay.Cluster.Nodes;

/// <summary>
/// A node daemon (Ray's raylet, and on the head also its GCS): registers with the head and heartbeats, starts
/// and ends the worker processes jobs ask for, caches the code jobs ship, and grants its resources to jobs.
/// </summary>
internal static class NodeDaemon
{
    private static readonly TimeSpan HeartbeatPeriod = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Runs until <paramref name="stop"/> is cancelled (or the head refuses this node); calls <paramref name="ready"/>
    /// with the address others reach it at once it serves. Returns the process exit code: 0 when stopped, 1 when refused.
    /// </summary>
    public static int Run(DaemonOptions options, Action<string> ready, CancellationToken stop)
    {
        ClusterSecurity.Use(options.Credentials);
        var resources = Resources(options);
        var cache = options.CacheDirectory ?? Path.Combine(Home(), "cache");
        using var agent = new NodeAgent(options, cache);
        using var head = options.HeadAddress is null ? new HeadState("") : null;
        var ledger = new NodeLedger(resources, TimeProvider.System);
        var server = new NodeServer();
        SharedMemory.RemoveOrphans(); // values of this machine's workers that died with an earlier daemon
        try
        {
            server.StartAsync(Bind(options.Host), options.Port, options.Host,
                builder => builder.Services.AddSingleton(new ControlService(head, agent, ledger)),
                app => app.MapGrpcService<ControlService>()).GetAwaiter().GetResult();
        }
        catch (IOException error)
        {
            Console.Error.WriteLine($"GenRay: cannot listen on {options.Host}:{options.Port}: {error.Message}. Is another GenRay already running there (`genray stop`)?");
            return 1;
        }
        try
        {
            var headAddress = options.HeadAddress ?? server.Address;
            if (head is not null)
            {
                head.Address = server.Address;
            }
            var channel = head is null ? NodeServer.OpenChannel(headAddress) : null;
            var register = new RegisterRequest(server.Address, head is not null, resources, Control.Version);
            string nodeId;
            try
            {
                nodeId = Register(head, channel, register);
            }
            catch (RayException refused)
            {
                var what = refused.InnerException is Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.Unavailable or Grpc.Core.StatusCode.DeadlineExceeded }
                    ? "could not reach the head at"
                    : "was refused by the head at";
                Console.Error.WriteLine($"GenRay: this node {what} {headAddress}: {refused.Message}");
                return 1;
            }
            if (head is null && IsLoopback(options.Host) && !IsLoopback(headAddress[..headAddress.LastIndexOf(':')]))
            {
                Console.Error.WriteLine(
                    $"GenRay: warning: this node listens on {options.Host}, which no other machine can reach, but its head is at {headAddress}. " +
                    "Give the node's own address with --node-ip-address.");
            }
            Console.Out.WriteLine($"GenRay: node {nodeId} serving at {server.Address} ({HeadState.Format(resources)}), " +
                (head is null ? $"joined the head at {headAddress}" : "head of its cluster"));
            ready(server.Address);

            var headSilent = false;
            while (!stop.WaitHandle.WaitOne(HeartbeatPeriod))
            {
                ledger.Expire();
                try
                {
                    var beat = new HeartbeatRequest(nodeId, agent.Workers, []);
                    var known = head?.Heartbeat(beat).Known
                        ?? Control.Call(channel!, Control.Heartbeat, beat, ControlJson.Default.HeartbeatRequest, ControlJson.Default.HeartbeatReply, TimeSpan.FromSeconds(5)).Known;
                    if (!known)
                    {
                        // The head declared this node dead (it was silent too long) or restarted: join again, anew.
                        nodeId = Register(head, channel, register);
                        Console.Out.WriteLine($"GenRay: the head had lost this node; joined again as node {nodeId}");
                    }
                    if (headSilent)
                    {
                        Console.Out.WriteLine($"GenRay: the head at {headAddress} answers again");
                        headSilent = false;
                    }
                }
                catch (RayException error) when (!headSilent)
                {
                    Console.Error.WriteLine($"GenRay: heartbeat to the head failed: {error.Message}");
                    headSilent = true;
                }
                catch (RayException)
                {
                    // Still silent: said once.
                }
            }
            Console.Out.WriteLine("GenRay: node stopping");
            try
            {
                var leaving = new HeartbeatRequest(nodeId, 0, []);
                _ = head?.Leave(leaving) ?? Control.Call(channel!, Control.Leave, leaving, ControlJson.Default.HeartbeatRequest, ControlJson.Default.HeartbeatReply, TimeSpan.FromSeconds(3));
            }
            catch (RayException)
            {
                // The head is gone too, or slow: it will notice the silence.
            }
            return 0;
        }
        finally
        {
            agent.Dispose();
            server.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(2));
        }
    }

    private static string Register(HeadState? head, Grpc.Net.Client.GrpcChannel? channel, RegisterRequest request) =>
        head?.Register(request).NodeId
        ?? Control.Call(channel!, Control.Register, request, ControlJson.Default.RegisterRequest, ControlJson.Default.RegisterReply, TimeSpan.FromSeconds(10)).NodeId;

    internal static Dictionary<string, double> Resources(DaemonOptions options)
    {
        var cpus = options.NumCpus ?? Environment.ProcessorCount;
        if (cpus <= 0 || double.IsNaN(cpus) || double.IsInfinity(cpus))
        {
            throw new RayException($"--num-cpus must be a positive number (it is {cpus}).");
        }
        var resources = new Dictionary<string, double>(StringComparer.Ordinal) { [Scheduling.NodeResources.Cpu] = cpus };
        foreach (var (name, amount) in options.Resources)
        {
            if (name == Scheduling.NodeResources.Cpu)
            {
                throw new RayException("Give CPUs with --num-cpus, not as a resource named CPU.");
            }
            if (amount < 0 || double.IsNaN(amount) || double.IsInfinity(amount))
            {
                throw new RayException($"Resource '{name}' must be a finite amount of 0 or more (it is {amount}).");
            }
            resources[name] = amount;
        }
        return resources;
    }

    private static bool IsLoopback(string host) =>
        host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    internal static IPAddress Bind(string host) =>
        IPAddress.TryParse(host, out var address) ? address
        : Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? throw new RayException($"'{host}' does not resolve to an IPv4 address to listen on.");

    /// <summary>GenRay's directory on this machine: <c>$GENRAY_HOME</c>, else <c>~/.genray</c>.</summary>
    internal static string Home() =>
        Environment.GetEnvironmentVariable("GENRAY_HOME") is { Length: > 0 } home
            ? home
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".genray");
}
