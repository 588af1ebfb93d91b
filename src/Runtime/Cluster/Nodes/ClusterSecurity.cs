using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace GenRay.Cluster.Nodes;

/// <summary>
/// The cluster token and TLS files of this process, applied to every endpoint it serves and every channel it
/// opens. Outside a cluster (in-process, or one machine's worker processes) there is neither: those endpoints
/// listen on loopback only and answer only their own driver's processes.
/// </summary>
internal static class ClusterSecurity
{
    public const string TokenHeader = "genray-token";

    private static ClusterCredentials s_current = ClusterCredentials.None;

    public static ClusterCredentials Current => Volatile.Read(ref s_current);

    public static void Use(ClusterCredentials credentials) => Volatile.Write(ref s_current, credentials);

    public static string Scheme => Current.UsesTls ? "https" : "http";

    /// <summary>Serves TLS with the certificate files, when given.</summary>
    public static void Configure(ListenOptions listen)
    {
        var credentials = Current;
        if (credentials.TlsCertificate is { } certificate)
        {
            var key = credentials.TlsKey ?? throw new RayException(
                $"A TLS certificate ({certificate}) was given without its key: pass --tls-key (or set {ClusterCredentials.TlsKeyVariable}).");
            listen.UseHttps(X509Certificate2.CreateFromPemFile(certificate, key));
        }
    }

    /// <summary>
    /// Refuses every call that does not present the cluster token, with gRPC's PERMISSION_DENIED and a message
    /// saying what to do, and logs the refusal (who, which call) on this process's error output.
    /// </summary>
    public static void RequireToken(WebApplication app)
    {
        if (Current.Token is not { } expected)
        {
            return;
        }
        var expectedBytes = System.Text.Encoding.UTF8.GetBytes(expected);
        app.Use(async (context, next) =>
        {
            var presented = context.Request.Headers[TokenHeader].ToString();
            if (CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(presented), expectedBytes))
            {
                await next(context).ConfigureAwait(false);
                return;
            }
            var why = presented.Length == 0 ? "presented no cluster token" : "presented a wrong cluster token";
            Console.Error.WriteLine($"GenRay: refused {context.Request.Path} from {context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}: it {why}.");
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            context.Response.AppendTrailer("grpc-status", ((int)Grpc.Core.StatusCode.PermissionDenied).ToString(System.Globalization.CultureInfo.InvariantCulture));
            context.Response.AppendTrailer("grpc-message", Uri.EscapeDataString(
                $"This GenRay cluster refused the connection: the caller {why}. Pass the cluster's token (--token, or the {ClusterCredentials.TokenVariable} environment variable)."));
            await context.Response.CompleteAsync().ConfigureAwait(false);
        });
    }

    /// <summary>The handler every channel of this process sends through: the token on each call, and the CA to trust.</summary>
    public static HttpMessageHandler Handler(SocketsHttpHandler sockets)
    {
        var credentials = Current;
        if (credentials.TlsCa is { } caFile)
        {
            var authority = X509CertificateLoader.LoadCertificateFromFile(caFile);
            sockets.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => TrustedBy(authority, certificate, errors),
            };
        }
        return credentials.Token is { } token ? new TokenHandler(token) { InnerHandler = sockets } : sockets;
    }

    // A certificate issued by the cluster's CA is trusted whatever name it carries: nodes are reached by address.
    private static bool TrustedBy(X509Certificate2 authority, X509Certificate? presented, SslPolicyErrors errors)
    {
        if (presented is null)
        {
            return false;
        }
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var certificate = new X509Certificate2(presented);
        return chain.Build(certificate);
    }

    /// <summary>Environment variables a process started for the cluster inherits, so it serves and calls as this one does.</summary>
    public static void PassTo(System.Diagnostics.ProcessStartInfo start)
    {
        var credentials = Current;
        Set(start, ClusterCredentials.TokenVariable, credentials.Token);
        Set(start, ClusterCredentials.TlsCertificateVariable, credentials.TlsCertificate);
        Set(start, ClusterCredentials.TlsKeyVariable, credentials.TlsKey);
        Set(start, ClusterCredentials.TlsCaVariable, credentials.TlsCa);
    }

    private static void Set(System.Diagnostics.ProcessStartInfo start, string name, string? value)
    {
        if (value is null)
        {
            start.Environment.Remove(name);
        }
        else
        {
            start.Environment[name] = value;
        }
    }

    private sealed class TokenHandler(string token) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.TryAddWithoutValidation(TokenHeader, token);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
