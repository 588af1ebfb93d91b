namespace GenRay.Cluster;

/// <summary>
/// Where a value produced in another process lives until someone reads it: the address of the process holding it.
/// The holder keeps the value while this lease is alive; when the ref holding the lease is collected (or has
/// fetched the value and dropped the lease), the finalizer tells the holder to let it go.
/// </summary>
internal sealed class RemoteValue
{
    private readonly ObjectLeases? _leases;
    private readonly ObjectId _id;

    public RemoteValue(string holder, ObjectId id, ObjectLeases? leases)
    {
        Holder = holder;
        _id = id;
        _leases = leases;
    }

    /// <summary>The holder's address, <c>host:port</c>.</summary>
    public string Holder { get; }

    /// <summary>
    /// The task that produced the value (Ray's lineage), kept by the driver while the value is held elsewhere and
    /// the task may be retried: if the holder dies, running it again rebuilds the value.
    /// </summary>
    public Internal.TaskInvocation? Lineage { get; set; }

    ~RemoteValue() => _leases?.Release(Holder, _id);

    /// <summary>The lease is handed on (the value was fetched and a copy kept, or ownership moved): no release.</summary>
    public void Forget() => GC.SuppressFinalize(this);
}
