using System.Collections.Concurrent;

namespace GenRay.Cluster;

/// <summary>
/// A worker's links to the other workers whose actors its code calls (one per address, opened on first use), and
/// the pending refs here that the driver does not know because they did not come through it: results of calls
/// sent over those links, and refs another worker sent here. Such a ref that this worker sends to the driver is
/// followed by its outcome once ready (<see cref="PendingExports"/>).
/// </summary>
internal sealed class PeerLinks(WorkerNode worker)
{
    private readonly ConcurrentDictionary<string, Lazy<PeerLink?>> _links = new(StringComparer.Ordinal);
    // Pending refs another worker sent here, which the driver does not know. The results of calls sent straight to
    // another worker it does not know either; they are told apart without an entry (see DriverLacks).
    private readonly InFlight<ObjectId, byte> _driverLacks = new();

    // Where the driver said each actor this worker's code called lives. The driver says it once per worker and place;
    // a handle here is collected once the code drops it (a task's argument, after the task), so the place is kept
    // apart from the handles: one read later still calls straight (else every later call went through the driver).
    private readonly ConcurrentDictionary<ActorId, string> _homes = new();

    /// <summary>The link to the worker at <paramref name="address"/>; null if none can be opened (calls then go through the driver).</summary>
    public PeerLink? To(string address) =>
        _links.GetOrAdd(address, a => new Lazy<PeerLink?>(() => Open(a))).Value;

    private PeerLink? Open(string address)
    {
        PeerConnection connection;
        try
        {
            connection = worker.Server.ConnectAsPeer(address, $"the worker at {address}");
        }
        catch (Exception error) when (error is UriFormatException or InvalidOperationException or ArgumentException)
        {
            return null; // not an address gRPC can reach: the driver keeps routing (it said where, not how)
        }
        var link = new PeerLink(worker, connection, address);
        _ = connection.RunAsync(link);
        return link;
    }

    /// <summary>
    /// A link closed: the next actor located at its address opens a new one. The actors said to live there are
    /// called through the driver again (the process may be gone, and they restarted elsewhere) until it says where.
    /// </summary>
    public void Lost(PeerLink link)
    {
        if (_links.TryGetValue(link.Address, out var entry) && entry.IsValueCreated && ReferenceEquals(entry.Value, link))
        {
            _links.TryRemove(new KeyValuePair<string, Lazy<PeerLink?>>(link.Address, entry));
        }
        foreach (var home in _homes)
        {
            if (home.Value == link.Address)
            {
                _homes.TryRemove(home);
            }
        }
    }

    /// <summary>The driver says actor <paramref name="id"/> lives at <paramref name="address"/>.</summary>
    public void Located(ActorId id, string address) => _homes[id] = address;

    /// <summary>The link to where actor <paramref name="id"/> lives, if the driver said where; null: call through the driver.</summary>
    public PeerLink? HomeOf(ActorId id) => _homes.TryGetValue(id, out var address) ? To(address) : null;

    /// <summary>Actor <paramref name="id"/> no longer answers at <paramref name="address"/> (it died there).</summary>
    public void Unlocated(ActorId id, string address) => _homes.TryRemove(new KeyValuePair<ActorId, string>(id, address));

    /// <summary>
    /// Whether the driver does not know pending <paramref name="value"/>. Besides the refs above, it does not know the
    /// results of calls this worker's code made to an actor hosted here or sent straight to another worker: made here,
    /// and not pinned for an answer from the driver, as everything sent through the driver is while pending (a call
    /// sent straight is held by its link instead).
    /// </summary>
    public bool DriverLacks(ObjectRef value) =>
        _driverLacks.ContainsKey(value.Id) || (value.Id.Owner == worker.Runtime.OwnerId && !worker.Objects.IsPinned(value.Id));

    /// <summary>Object <paramref name="id"/> is pending here without the driver knowing it.</summary>
    public void OweDriver(ObjectId id) => _driverLacks[id] = 0;

    /// <summary>The driver was told the outcome of object <paramref name="id"/>.</summary>
    public void DriverKnows(ObjectId id) => _driverLacks.TryRemove(id, out _);

    /// <summary>Another worker pushed a pending ref it sent here (or answered a call its link no longer waited for).</summary>
    public void Ready(ObjectId id, Outcome.Parsed outcome)
    {
        worker.Ready(id, outcome);
        _driverLacks.TryRemove(id, out _);
    }

    /// <summary>An answer or a push will not come: its link is gone.</summary>
    public void Failed(ObjectId id, Exception error)
    {
        if (worker.Objects.TryGet(id, out var value))
        {
            value.TrySetException(error);
            worker.Objects.Unpin(id);
        }
        _driverLacks.TryRemove(id, out _);
    }
}
