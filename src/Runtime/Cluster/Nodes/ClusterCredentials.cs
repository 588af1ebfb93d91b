namespace GenRay.Cluster.Nodes;

/// <summary>
/// What a GenRay process presents and checks on every cluster connection: the cluster token and, optionally,
/// TLS certificate files. Read from <c>GENRAY_TOKEN</c>, <c>GENRAY_TLS_CERT</c>, <c>GENRAY_TLS_KEY</c> and
/// <c>GENRAY_TLS_CA</c> unless given.
/// </summary>
internal sealed record ClusterCredentials(string? Token, string? TlsCertificate, string? TlsKey, string? TlsCa)
{
    public const string TokenVariable = "GENRAY_TOKEN";
    public const string TlsCertificateVariable = "GENRAY_TLS_CERT";
    public const string TlsKeyVariable = "GENRAY_TLS_KEY";
    public const string TlsCaVariable = "GENRAY_TLS_CA";

    public static ClusterCredentials None { get; } = new(null, null, null, null);

    public bool UsesTls => TlsCertificate is not null || TlsCa is not null;

    public static ClusterCredentials FromEnvironment() => new(
        Variable(TokenVariable), Variable(TlsCertificateVariable), Variable(TlsKeyVariable), Variable(TlsCaVariable));

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
