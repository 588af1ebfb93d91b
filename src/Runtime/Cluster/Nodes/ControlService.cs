using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Grpc.Core;

namespace GenRay.Cluster.Nodes;

/// <summary>
/// The control service a node daemon hosts (code-first gRPC). Public only because gRPC's binder requires public
/// virtual methods; each unwraps its JSON request, asks the head or the node agent, and wraps the reply.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[BindServiceMethod(typeof(ControlService), nameof(BindService))]
public class ControlService
{
    private readonly HeadState? _head;
    private readonly NodeAgent _agent;
    private readonly NodeLedger _ledger;

    internal ControlService(HeadState? head, NodeAgent agent, NodeLedger ledger)
    {
        _head = head;
        _agent = agent;
        _ledger = ledger;
    }

    /// <summary>Binds the methods. Called by gRPC.</summary>
    public static void BindService(ServiceBinderBase binder, ControlService? service)
    {
        binder.AddMethod(Control.Register, service is null ? null : service.Register);
        binder.AddMethod(Control.Heartbeat, service is null ? null : service.Heartbeat);
        binder.AddMethod(Control.Leave, service is null ? null : service.Leave);
        binder.AddMethod(Control.Status, service is null ? null : service.Status);
        binder.AddMethod(Control.JobStart, service is null ? null : service.JobStart);
        binder.AddMethod(Control.JobReport, service is null ? null : service.JobReport);
        binder.AddMethod(Control.JobEnd, service is null ? null : service.JobEnd);
        binder.AddMethod(Control.ClaimName, service is null ? null : service.ClaimName);
        binder.AddMethod(Control.FindName, service is null ? null : service.FindName);
        binder.AddMethod(Control.DropName, service is null ? null : service.DropName);
        binder.AddMethod(Control.MissingCode, service is null ? null : service.MissingCode);
        binder.AddMethod(Control.PutCode, service is null ? null : service.PutCode);
        binder.AddMethod(Control.StartWorker, service is null ? null : service.StartWorker);
        binder.AddMethod(Control.KillWorker, service is null ? null : service.KillWorker);
        binder.AddMethod(Control.WorkerState, service is null ? null : service.WorkerState);
        binder.AddMethod(Control.EndJob, service is null ? null : service.EndJob);
        binder.AddMethod(Control.Acquire, service is null ? null : service.Acquire);
        binder.AddMethod(Control.Return, service is null ? null : service.Return);
        binder.AddMethod(Control.Renew, service is null ? null : service.Renew);
    }

    /// <summary>A node joins.</summary>
    public virtual Task<byte[]> Register(byte[] request, ServerCallContext context) =>
        Head(request, ControlJson.Default.RegisterRequest, ControlJson.Default.RegisterReply, (head, r) => head.Register(r));

    /// <summary>A node is alive.</summary>
    public virtual Task<byte[]> Heartbeat(byte[] request, ServerCallContext context) =>
        Head(request, ControlJson.Default.HeartbeatRequest, ControlJson.Default.HeartbeatReply, (head, r) => head.Heartbeat(r));

    /// <summary>A node stops (genray stop).</summary>
    public virtual Task<byte[]> Leave(byte[] request, ServerCallContext context) =>
        Head(request, ControlJson.Default.HeartbeatRequest, ControlJson.Default.HeartbeatReply, (head, r) => head.Leave(r));

    /// <summary>What the head knows.</summary>
    public virtual Task<byte[]> Status(byte[] request, ServerCallContext context) =>
        Head(request, ControlJson.Default.Nothing, ControlJson.Default.ClusterStatus, (head, _) => head.Status());

    /// <summary>A driver connects.</summary>
    public virtual Task<byte[]> JobStart(byte[] request, ServerCallContext context) =>
        Head(request, ControlJson.Default.JobStartRequest, ControlJson.Default.JobStartReply, (head, r) => head.StartJob(r, context.Peer));

    /// <summary>A driver's periodic report.</summary>
    public virtual Task<byte[]> JobReport(byte[] request, ServerCallContext context) =>
        Head(request, ControlJson.Default.JobReport, ControlJson.Default.NodesReply, (head, r) => head.Report(r));

    /// <summary>A driver is done.</summary>
    public virtual Task<byte[]> JobEnd(byte[] request, ServerCallContext context) =>
        Head(request, ControlJson.Default.JobEndRequest, ControlJson.Default.Nothing, (head, r) => head.EndJob(r));

    /// <summary>A job created a named actor: the name is its own across the cluster, or refused.</summary>
    public virtual Task<byte[]> ClaimName(byte[] request, ServerCallContext context) =>
        Head(request, ControlJson.Default.NamedActor, ControlJson.Default.Nothing, (head, r) => head.ClaimName(r));

    /// <summary>Another job looks a named actor up.</summary>
    public virtual Task<byte[]> FindName(byte[] request, ServerCallContext context) =>
        Head(request, ControlJson.Default.ActorNameRequest, ControlJson.Default.NamedActorReply, (head, r) => head.FindName(r));

    /// <summary>A named actor died: its name is free.</summary>
    public virtual Task<byte[]> DropName(byte[] request, ServerCallContext context) =>
        Head(request, ControlJson.Default.NamedActor, ControlJson.Default.Nothing, (head, r) => head.DropName(r));

    /// <summary>Which of a job's assemblies this node lacks.</summary>
    public virtual Task<byte[]> MissingCode(byte[] request, ServerCallContext context) =>
        Node(request, ControlJson.Default.MissingCodeRequest, ControlJson.Default.MissingCodeReply, r => _agent.Missing(r));

    /// <summary>One assembly of a job.</summary>
    public virtual Task<byte[]> PutCode(byte[] request, ServerCallContext context) =>
        Node(request, ControlJson.Default.PutCodeRequest, ControlJson.Default.Nothing, r => _agent.Put(r));

    /// <summary>Starts a worker process for a job.</summary>
    public virtual Task<byte[]> StartWorker(byte[] request, ServerCallContext context) =>
        Node(request, ControlJson.Default.StartWorkerRequest, ControlJson.Default.StartWorkerReply, r => _agent.StartWorkerAsync(r, context.CancellationToken));

    /// <summary>Ends a job's worker process.</summary>
    public virtual Task<byte[]> KillWorker(byte[] request, ServerCallContext context) =>
        Node(request, ControlJson.Default.WorkerRequest, ControlJson.Default.WorkerStateReply, r => _agent.Kill(r));

    /// <summary>Whether a job's worker process still runs.</summary>
    public virtual Task<byte[]> WorkerState(byte[] request, ServerCallContext context) =>
        Node(request, ControlJson.Default.WorkerRequest, ControlJson.Default.WorkerStateReply, r => _agent.State(r));

    /// <summary>Ends every worker process of a job on this node, and gives back what it was granted here.</summary>
    public virtual Task<byte[]> EndJob(byte[] request, ServerCallContext context) =>
        Node(request, ControlJson.Default.JobEndRequest, ControlJson.Default.Nothing, r =>
        {
            _ledger.EndJob(r.JobId);
            return _agent.EndJob(r);
        });

    /// <summary>Grants a job resources of this node: now, or within the long poll once they are free (else "not granted").</summary>
    public virtual Task<byte[]> Acquire(byte[] request, ServerCallContext context) =>
        Node(request, ControlJson.Default.GrantRequest, ControlJson.Default.GrantReply, r => _ledger.AcquireAsync(r, NodeLedger.LongPoll, context.CancellationToken));

    /// <summary>A job gives back resources it was granted.</summary>
    public virtual Task<byte[]> Return(byte[] request, ServerCallContext context) =>
        Node(request, ControlJson.Default.GrantRequest, ControlJson.Default.Nothing, r => _ledger.Return(r));

    /// <summary>A job's driver is alive: its grants here stay. Says whether other jobs wait for them.</summary>
    public virtual Task<byte[]> Renew(byte[] request, ServerCallContext context) =>
        Node(request, ControlJson.Default.RenewRequest, ControlJson.Default.RenewReply, r => _ledger.Renew(r));

    private Task<byte[]> Head<TRequest, TReply>(byte[] request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TReply> replyType, Func<HeadState, TRequest, TReply> handle) =>
        _head is { } head
            ? Node(request, requestType, replyType, r => handle(head, r))
            : throw new RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition,
                $"This GenRay node is not the head of its cluster: connect to the head's address instead (the one `genray start --head` printed)."));

    private static Task<byte[]> Node<TRequest, TReply>(byte[] request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TReply> replyType, Func<TRequest, TReply> handle) =>
        Node(request, requestType, replyType, r => Task.FromResult(handle(r)));

    private static async Task<byte[]> Node<TRequest, TReply>(byte[] request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TReply> replyType, Func<TRequest, Task<TReply>> handle)
    {
        TRequest parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(request, requestType) ?? throw new JsonException("empty request");
        }
        catch (JsonException error)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, $"A malformed control message ({typeof(TRequest).Name}): {error.Message}"));
        }
        try
        {
            return JsonSerializer.SerializeToUtf8Bytes(await handle(parsed).ConfigureAwait(false), replyType);
        }
        catch (RayException error)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition, error.Message));
        }
    }
}
