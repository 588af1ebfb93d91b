using GenRay.Cluster.Nodes;

namespace GenRay.Cli.Parsing;

/// <summary>
/// The credentials options every command that talks to a cluster accepts. Each one overrides its environment
/// variable (<c>GENRAY_TOKEN</c>, <c>GENRAY_TLS_*</c>); what is not given comes from the environment.
/// </summary>
internal static class ConnectionArguments
{
    public const string Token = "--token";
    public const string TlsCert = "--tls-cert";
    public const string TlsKey = "--tls-key";
    public const string TlsCa = "--tls-ca";

    public static IReadOnlySet<string> Options { get; } = new HashSet<string>(StringComparer.Ordinal) { Token, TlsCert, TlsKey, TlsCa };

    public static ClusterCredentials Read(ParsedArguments args, string command, ClusterCredentials environment)
    {
        var credentials = environment with
        {
            Token = args.Value(Token) ?? environment.Token,
            TlsCertificate = File(args, TlsCert, command) ?? environment.TlsCertificate,
            TlsKey = File(args, TlsKey, command) ?? environment.TlsKey,
            TlsCa = File(args, TlsCa, command) ?? environment.TlsCa,
        };
        if ((credentials.TlsCertificate is null) != (credentials.TlsKey is null))
        {
            throw new UsageException($"genray {command}: {TlsCert} and {TlsKey} go together (a certificate and its private key).");
        }
        return credentials;
    }

    // Absolute, because a detached daemon runs in the state directory, not where the user typed the command.
    private static string? File(ParsedArguments args, string name, string command)
    {
        if (args.Value(name) is not { } path)
        {
            return null;
        }
        var full = Path.GetFullPath(path);
        return System.IO.File.Exists(full) ? full : throw new UsageException($"genray {command}: {name}: no file at {full}.");
    }
}
