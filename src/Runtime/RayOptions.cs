namespace GenRay;

/// <summary>How <see cref="Ray.Init(RayOptions?)"/> starts GenRay: Ray's <c>ray.init(...)</c> arguments.</summary>
/// <example>
/// <code>
/// using var ray = Ray.Init(new RayOptions { NumCpus = 4 });
/// </code>
/// </example>
public sealed class RayOptions
{
    /// <summary>Logical CPUs of this node. Each task holds its <c>NumCpus</c> (default 1) while it runs.
    /// Default: <see cref="Environment.ProcessorCount"/>.</summary>
    public double? NumCpus { get; set; }

    /// <summary>Logical GPUs of this node (the custom resource <c>GPU</c>). Default 0.</summary>
    public double? NumGpus { get; set; }

    /// <summary>Custom resources of this node, by name, for example <c>{ ["memory_gb"] = 16 }</c>.</summary>
    public IDictionary<string, double> Resources { get; set; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary>A second <see cref="Ray.Init"/> returns the running runtime instead of throwing.</summary>
    public bool IgnoreReinitError { get; set; }

    /// <summary>
    /// The namespace named actors are registered in and looked up from. Default: <c>"default"</c>; on a cluster, a
    /// namespace of the job's own (as Ray's anonymous namespace), so jobs share named actors only when given one namespace.
    /// </summary>
    public string? Namespace { get; set; }

    /// <summary>0 (the default) runs tasks and actors inside this process. N starts N local worker processes
    /// and runs tasks and actors there.</summary>
    public int WorkerProcesses { get; set; }

    /// <summary>Connect to a running cluster at <c>host:port</c>. When unset, the <c>GENRAY_ADDRESS</c>
    /// environment variable is read; when that is unset too, GenRay runs on this machine.</summary>
    public string? Address { get; set; }

    /// <summary>Round-trip every argument and result through the wire format even in-process, so a type that
    /// would fail to cross a process fails in local tests too.</summary>
    public bool StrictSerialization { get; set; }

    internal RayOptions Clone() => new()
    {
        NumCpus = NumCpus,
        NumGpus = NumGpus,
        Resources = new Dictionary<string, double>(Resources, StringComparer.Ordinal),
        IgnoreReinitError = IgnoreReinitError,
        Namespace = Namespace,
        WorkerProcesses = WorkerProcesses,
        Address = Address,
        StrictSerialization = StrictSerialization,
    };
}
