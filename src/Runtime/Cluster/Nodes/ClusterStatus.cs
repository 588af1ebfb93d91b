namespace GenRay.Cluster.Nodes;

// What the head knows of the cluster, as `genray status` and `genray list` show it (and print with --json, in
// ControlJson: the control plane speaks JSON, its messages are few and small, and the same shapes serve scripts).

/// <summary>A node: the head or one started with <c>genray start --address</c>.</summary>
internal sealed record NodeInfo(
    string Id,
    string Address,
    bool IsHead,
    string State,
    Dictionary<string, double> Total,
    Dictionary<string, double> Available,
    int Workers,
    double SecondsSinceHeartbeat,
    string Version,
    string? DeathReason);

/// <summary>A driver connected to the cluster, and its tasks counted by state.</summary>
internal sealed record JobInfo(string Id, string Driver, string State, DateTimeOffset Started, Dictionary<string, int> Tasks);

internal sealed record ActorInfo(string Id, string Class, string? Name, string State, string? Node, string Job);

internal sealed record TaskInfo(string Id, string Name, string State, string? Node, string Job);

/// <summary>
/// A value held in a process's object store: the node of the process (null for the driver, which is on no node) and
/// the process itself, a worker's pid or <c>driver</c>.
/// </summary>
internal sealed record ObjectInfo(string Id, long Size, string? Node, string Holder, string Job);

internal sealed record ClusterStatus(
    string Head,
    string Version,
    List<NodeInfo> Nodes,
    List<JobInfo> Jobs,
    List<ActorInfo> Actors,
    List<TaskInfo> Tasks,
    List<ObjectInfo> Objects);
