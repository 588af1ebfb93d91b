using System.Text.Json.Serialization;

namespace GenRay.Cluster.Nodes;

// The messages of the cluster's control plane (head and node daemons), as JSON: few, small, and readable in logs.

internal sealed record RegisterRequest(string Address, bool IsHead, Dictionary<string, double> Resources, string Version);

internal sealed record RegisterReply(string NodeId);

internal sealed record HeartbeatRequest(string NodeId, int Workers, Dictionary<string, double> Available);

internal sealed record HeartbeatReply(bool Known);

internal sealed record JobStartRequest(string Driver, string Version);

internal sealed record JobStartReply(string JobId, List<NodeInfo> Nodes);

/// <summary>What a driver tells the head about its job every second (and gets the node table back).</summary>
internal sealed record JobReport(
    string JobId,
    Dictionary<string, int> Tasks,
    List<ActorInfo> Actors,
    List<TaskInfo> TaskList,
    List<ObjectInfo> Objects,
    Dictionary<string, Dictionary<string, double>> UsedByNode);

internal sealed record NodesReply(List<NodeInfo> Nodes);

internal sealed record JobEndRequest(string JobId);

internal sealed record Nothing;

/// <summary>
/// A named actor as the head knows it: its name, the job that owns it, its id (<see cref="ActorId"/>'s parts), its
/// class (the generated type id and the class's full name), and the address of its owner's driver, which takes calls.
/// </summary>
internal sealed record NamedActor(string Namespace, string Name, string JobId, ulong Owner, ulong Sequence, string TypeId, string Class, string Driver)
{
    public bool SameActor(NamedActor other) => Owner == other.Owner && Sequence == other.Sequence;
}

internal sealed record ActorNameRequest(string Namespace, string Name);

internal sealed record NamedActorReply(NamedActor? Actor);

/// <summary>An assembly a job ships: its simple name, the SHA-256 of its bytes, and whether it registers remotes.</summary>
internal sealed record CodeFile(string Name, string Hash, bool Remotes);

internal sealed record MissingCodeRequest(List<string> Hashes);

internal sealed record MissingCodeReply(List<string> Missing);

internal sealed record PutCodeRequest(string Hash, byte[] Bytes);

internal sealed record StartWorkerRequest(string JobId, int Index, List<CodeFile> Code, string Namespace);

internal sealed record StartWorkerReply(string Address, int Pid);

internal sealed record WorkerRequest(string JobId, int Pid);

internal sealed record WorkerStateReply(bool Running, int? ExitCode);

/// <summary>Resources a job asks a node for (Acquire) or gives back (Return), by name: <c>CPU</c>, <c>GPU</c>, custom ones.</summary>
internal sealed record GrantRequest(string JobId, Dictionary<string, double> Amounts);

/// <summary>
/// Whether the node granted all that was asked (false: not within the long poll; ask again), and whether other
/// jobs wait there (then the asker gives back at once what its work frees there).
/// </summary>
internal sealed record GrantReply(bool Granted, bool Contended);

internal sealed record RenewRequest(string JobId);

/// <summary>Whether other jobs wait for the node's resources (see <see cref="GrantReply"/>).</summary>
internal sealed record RenewReply(bool Contended);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RegisterRequest))]
[JsonSerializable(typeof(RegisterReply))]
[JsonSerializable(typeof(HeartbeatRequest))]
[JsonSerializable(typeof(HeartbeatReply))]
[JsonSerializable(typeof(JobStartRequest))]
[JsonSerializable(typeof(JobStartReply))]
[JsonSerializable(typeof(JobReport))]
[JsonSerializable(typeof(NodesReply))]
[JsonSerializable(typeof(JobEndRequest))]
[JsonSerializable(typeof(Nothing))]
[JsonSerializable(typeof(NamedActor))]
[JsonSerializable(typeof(ActorNameRequest))]
[JsonSerializable(typeof(NamedActorReply))]
[JsonSerializable(typeof(MissingCodeRequest))]
[JsonSerializable(typeof(MissingCodeReply))]
[JsonSerializable(typeof(PutCodeRequest))]
[JsonSerializable(typeof(StartWorkerRequest))]
[JsonSerializable(typeof(StartWorkerReply))]
[JsonSerializable(typeof(WorkerRequest))]
[JsonSerializable(typeof(WorkerStateReply))]
[JsonSerializable(typeof(GrantRequest))]
[JsonSerializable(typeof(GrantReply))]
[JsonSerializable(typeof(RenewRequest))]
[JsonSerializable(typeof(RenewReply))]
[JsonSerializable(typeof(ClusterStatus))]
internal sealed partial class ControlJson : JsonSerializerContext;
