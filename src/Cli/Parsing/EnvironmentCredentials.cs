using GenRay.Cluster.Nodes;

namespace GenRay.Cli.Parsing;

internal static class EnvironmentCredentials
{
    /// <summary><see cref="ClusterCredentials.FromEnvironment"/>, read through the context's variables so tests can give their own.</summary>
    public static ClusterCredentials Read(CliContext context) => new(
        Variable(context, ClusterCredentials.TokenVariable),
        Variable(context, ClusterCredentials.TlsCertificateVariable),
        Variable(context, ClusterCredentials.TlsKeyVariable),
        Variable(context, ClusterCredentials.TlsCaVariable));

    private static string? Variable(CliContext context, string name) => context.Variable(name) is { Length: > 0 } value ? value : null;
}
