using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Grpc.Core;
using Grpc.Net.Client;

namespace GenRay.Cluster.Nodes;

/// <summary>
/// The control plane's calls: unary gRPC methods of the <c>genray.Control</c> service, each a JSON request and
/// reply. The head answers the node table and job calls; every node daemon answers the worker and code calls, and
/// grants its resources to jobs (Acquire, Return, Renew).
/// </summary>
internal static class Control
{
    public const string ServiceName = "genray.Control";

    public static readonly Method<byte[], byte[]> Register = Unary(nameof(Register));
    public static readonly Method<byte[], byte[]> Heartbeat = Unary(nameof(Heartbeat));
    public static readonly Method<byte[], byte[]> Leave = Unary(nameof(Leave));
    public static readonly Method<byte[], byte[]> Status = Unary(nameof(Status));
    public static readonly Method<byte[], byte[]> JobStart = Unary(nameof(JobStart));
    public static readonly Method<byte[], byte[]> JobReport = Unary(nameof(JobReport));
    public static readonly Method<byte[], byte[]> JobEnd = Unary(nameof(JobEnd));
    public static readonly Method<byte[], byte[]> ClaimName = Unary(nameof(ClaimName));
    public static readonly Method<byte[], byte[]> FindName = Unary(nameof(FindName));
    public static readonly Method<byte[], byte[]> DropName = Unary(nameof(DropName));
    public static readonly Method<byte[], byte[]> MissingCode = Unary(nameof(MissingCode));
    public static readonly Method<byte[], byte[]> PutCode = Unary(nameof(PutCode));
    public static readonly Method<byte[], byte[]> StartWorker = Unary(nameof(StartWorker));
    public static readonly Method<byte[], byte[]> KillWorker = Unary(nameof(KillWorker));
    public static readonly Method<byte[], byte[]> WorkerState = Unary(nameof(WorkerState));
    public static readonly Method<byte[], byte[]> EndJob = Unary(nameof(EndJob));
    public static readonly Method<byte[], byte[]> Acquire = Unary(nameof(Acquire));
    public static readonly Method<byte[], byte[]> Return = Unary(nameof(Return));
    public static readonly Method<byte[], byte[]> Renew = Unary(nameof(Renew));

    /// <summary>
    /// The GenRay version a process runs and the protocol it speaks: nodes, head and drivers of one cluster must
    /// agree on both. The version without its build metadata (<c>+commit</c>): builds of one release interoperate.
    /// </summary>
    public static string Version { get; } = $"{ReleaseVersion()} (protocol {WorkerLauncher.ProtocolVersion})";

    private static string ReleaseVersion()
    {
        var informational = typeof(Control).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? informational : informational[..plus];
    }

    private static Method<byte[], byte[]> Unary(string name) => new(MethodType.Unary, ServiceName, name, NodeService.Bytes, NodeService.Bytes);

    /// <summary>Calls <paramref name="method"/> at <paramref name="channel"/>; a refusal or an unreachable peer becomes a <see cref="RayException"/> that says which.</summary>
    public static async Task<TReply> CallAsync<TRequest, TReply>(
        GrpcChannel channel, Method<byte[], byte[]> method, TRequest request,
        JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TReply> replyType, TimeSpan timeout, CancellationToken ct = default)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(request, requestType);
        try
        {
            var reply = await channel.CreateCallInvoker()
                .AsyncUnaryCall(method, null, new CallOptions(deadline: DateTime.UtcNow + timeout, cancellationToken: ct), bytes)
                .ResponseAsync.ConfigureAwait(false);
            return JsonSerializer.Deserialize(reply, replyType) ?? throw new RayException($"{channel.Target} answered {method.Name} with nothing.");
        }
        catch (RpcException error)
        {
            throw Explain(channel.Target, method.Name, error);
        }
    }

    /// <summary>
    /// Calls a method whose reply says nothing, without the caller waiting on it: a peer that is gone or refuses is
    /// let be, for callers whose state does not depend on it (what they tell expires or ends there anyway).
    /// </summary>
    public static async Task TellAsync<TRequest>(GrpcChannel channel, Method<byte[], byte[]> method, TRequest request, JsonTypeInfo<TRequest> requestType, TimeSpan timeout)
    {
        try
        {
            await CallAsync(channel, method, request, requestType, ControlJson.Default.Nothing, timeout).ConfigureAwait(false);
        }
        catch (Exception error) when (error is RayException or ObjectDisposedException)
        {
            // Gone, or the caller's session ended meanwhile.
        }
    }

    public static TReply Call<TRequest, TReply>(
        GrpcChannel channel, Method<byte[], byte[]> method, TRequest request,
        JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TReply> replyType, TimeSpan timeout) =>
        CallAsync(channel, method, request, requestType, replyType, timeout).GetAwaiter().GetResult();

    private static RayException Explain(string target, string call, RpcException error) => error.StatusCode switch
    {
        StatusCode.PermissionDenied or StatusCode.FailedPrecondition or StatusCode.NotFound or StatusCode.InvalidArgument =>
            new RayException(error.Status.Detail, error),
        StatusCode.Unavailable =>
            new RayException(
                $"The GenRay process at {target} cannot be reached ({error.Status.Detail}). Is it running (`genray status`), and is the address right? " +
                $"If the cluster uses TLS, give its CA (--tls-ca or {ClusterCredentials.TlsCaVariable}).", error),
        StatusCode.DeadlineExceeded =>
            new RayException($"The GenRay process at {target} did not answer {call} in time.", error),
        _ => new RayException($"{call} at {target} failed: {error.Status.Detail}", error),
    };
}
