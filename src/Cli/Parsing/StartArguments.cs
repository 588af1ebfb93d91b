using System.Diagnostics;
using System.Globalization;
using GenRay.Cluster.Nodes;

namespace GenRay.Cli.Parsing;

/// <summary>
/// <c>genray start</c>'s options, checked. The detached daemon gets the same options back (<see cref="ToDaemonArguments"/>),
/// except the credentials, which travel in its environment so the token never shows in <c>ps</c>.
/// </summary>
internal sealed record StartArguments
{
    public const int DefaultHeadPort = 6380;

    private static readonly HashSet<string> s_flags = new(StringComparer.Ordinal) { "--head", "--block" };
    private static readonly HashSet<string> s_valued = new(ConnectionArguments.Options, StringComparer.Ordinal)
    {
        "--address", "--port", "--node-ip-address", "--num-cpus", "--resources",
    };

    /// <summary>The head to join; null when this is the head.</summary>
    public string? HeadAddress { get; init; }

    public bool IsHead => HeadAddress is null;

    public string Role => IsHead ? "head" : "node";

    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; }

    public double? NumCpus { get; init; }

    public Dictionary<string, double> Resources { get; init; } = new(StringComparer.Ordinal);

    public ClusterCredentials Credentials { get; init; } = ClusterCredentials.None;

    public bool Block { get; init; }

    public static StartArguments Parse(IReadOnlyList<string> args, ClusterCredentials environment, string command = "start")
    {
        var parsed = ParsedArguments.Parse(command, args, s_flags, s_valued);
        var head = parsed.Has("--head");
        var address = parsed.Address(command);
        if (head && address is not null)
        {
            throw new UsageException($"genray {command}: give either --head (start a cluster) or --address HOST:PORT (join one), not both.");
        }
        if (!head && address is null)
        {
            throw new UsageException($"genray {command}: give --head to start a cluster, or --address HOST:PORT to join the head there.");
        }

        return new StartArguments
        {
            HeadAddress = address,
            Host = parsed.Value("--node-ip-address") ?? "127.0.0.1",
            // Nodes take any free port: several may share a machine, and the head learns the port when they register.
            Port = parsed.Int("--port", 0, 65535) ?? (head ? DefaultHeadPort : 0),
            NumCpus = parsed.Amount("--num-cpus"),
            Resources = parsed.Value("--resources") is { } resources ? ResourceSyntax.Parse(resources) : new(StringComparer.Ordinal),
            Credentials = ConnectionArguments.Read(parsed, command, environment),
            Block = parsed.Has("--block"),
        };
    }

    public DaemonOptions ToDaemonOptions(Func<ProcessStartInfo> workerCommand, string cacheDirectory) => new()
    {
        HeadAddress = HeadAddress,
        Host = Host,
        Port = Port,
        NumCpus = NumCpus,
        Resources = new Dictionary<string, double>(Resources, StringComparer.Ordinal),
        Credentials = Credentials,
        WorkerCommand = workerCommand,
        CacheDirectory = cacheDirectory,
    };

    public List<string> ToDaemonArguments()
    {
        var args = new List<string>();
        if (HeadAddress is null)
        {
            args.Add("--head");
        }
        else
        {
            args.AddRange(["--address", HeadAddress]);
        }
        args.AddRange(["--node-ip-address", Host, "--port", Port.ToString(CultureInfo.InvariantCulture)]);
        if (NumCpus is { } cpus)
        {
            args.AddRange(["--num-cpus", cpus.ToString("R", CultureInfo.InvariantCulture)]);
        }
        if (Resources.Count > 0)
        {
            args.AddRange(["--resources", string.Join(',', Resources.Select(r => $"{r.Key}={r.Value.ToString("R", CultureInfo.InvariantCulture)}"))]);
        }
        return args;
    }

    /// <summary>The credentials as the environment variables <see cref="ClusterCredentials.FromEnvironment"/> reads.</summary>
    public Dictionary<string, string?> CredentialVariables() => new(StringComparer.Ordinal)
    {
        [ClusterCredentials.TokenVariable] = Credentials.Token,
        [ClusterCredentials.TlsCertificateVariable] = Credentials.TlsCertificate,
        [ClusterCredentials.TlsKeyVariable] = Credentials.TlsKey,
        [ClusterCredentials.TlsCaVariable] = Credentials.TlsCa,
    };
}
