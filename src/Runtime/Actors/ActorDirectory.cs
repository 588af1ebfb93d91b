using System.Runtime.CompilerServices;

namespace GenRay;

/// <summary>
/// The actors of one runtime: named actors by (namespace, name), and every live actor so shutdown can end them.
/// </summary>
/// <remarks>
/// Unnamed actors are held weakly: as in Ray, an actor nobody holds a handle to (and that has no queued work,
/// which would keep it reachable from the thread pool) goes away. Named actors stay reachable by name, and
/// actors that reserve resources are held strongly until killed, so their resources are always given back.
/// </remarks>
internal sealed class ActorDirectory
{
    private readonly Dictionary<(string Namespace, string Name), ActorCore> _named = [];
    private readonly HashSet<ActorCore> _pinned = [];
    private readonly ConditionalWeakTable<ActorCore, object?> _all = [];
    private readonly Dictionary<ActorId, WeakReference<ActorCore>> _byId = [];
    private readonly object _lock = new();
    private bool _stopped;

    /// <summary>Where names this process does not know are looked up (in a worker: the driver; in a cluster's driver: the head).</summary>
    public Func<string, string, ActorCore?>? LookUp { get; set; }

    /// <summary>Claims a new actor's name beyond this process (a cluster's head); throws when another job's actor holds it.</summary>
    public Action<ActorCore>? Claim { get; set; }

    /// <summary>Gives a dead actor's name back beyond this process.</summary>
    public Action<ActorCore>? Unclaim { get; set; }

    public void Register(ActorCore actor)
    {
        Add(actor);
        if (actor.Name is not null && Claim is { } claim)
        {
            try
            {
                claim(actor);
            }
            catch (RayException)
            {
                Remove(actor);
                throw;
            }
        }
    }

    private void Add(ActorCore actor)
    {
        lock (_lock)
        {
            if (_stopped)
            {
                throw new RayException("GenRay is shutting down; no new actors can start.");
            }
            if (actor.Name is { } name)
            {
                if (_named.TryGetValue((actor.Namespace, name), out var existing))
                {
                    throw new RayException(
                        $"An actor named '{name}' already exists in namespace '{actor.Namespace}' ({existing.DisplayName}). " +
                        $"Names are unique per namespace: pick another name, or use Ray.GetActor<{existing.Type.Name}>(\"{name}\") to reach it.");
                }
                _named[(actor.Namespace, name)] = actor;
            }
            if (actor.ReservesResources)
            {
                _pinned.Add(actor);
            }
            _all.Add(actor, null);
            _byId[actor.Id] = new WeakReference<ActorCore>(actor);
        }
    }

    /// <summary>A live actor of this runtime by id (a handle that came back from another process).</summary>
    /// <summary>Every actor still known (alive, or dead and not yet collected).</summary>
    public IReadOnlyList<ActorCore> All
    {
        get
        {
            lock (_lock)
            {
                return [.. _byId.Values.Select(w => w.TryGetTarget(out var actor) ? actor : null).OfType<ActorCore>()];
            }
        }
    }

    public bool TryGet(ActorId id, out ActorCore actor)
    {
        lock (_lock)
        {
            if (_byId.TryGetValue(id, out var weak) && weak.TryGetTarget(out actor!))
            {
                return true;
            }
        }
        actor = null!;
        return false;
    }

    /// <summary>Keeps an actor alive until it is killed, whoever holds handles (one hosted for another process).</summary>
    public void Pin(ActorCore actor)
    {
        lock (_lock)
        {
            _pinned.Add(actor);
        }
    }

    /// <summary>The named actor, whatever its class (a worker asked for it by name), here or where <see cref="LookUp"/> looks.</summary>
    public ActorCore? Find(string name, string @namespace)
    {
        lock (_lock)
        {
            if (_named.TryGetValue((@namespace, name), out var actor))
            {
                return actor;
            }
        }
        return LookUp?.Invoke(name, @namespace);
    }

    public void Unregister(ActorCore actor)
    {
        if (Remove(actor) && Unclaim is { } unclaim)
        {
            unclaim(actor);
        }
    }

    // True when the actor held its name.
    private bool Remove(ActorCore actor)
    {
        lock (_lock)
        {
            var named = false;
            if (actor.Name is { } name && _named.TryGetValue((actor.Namespace, name), out var registered) && ReferenceEquals(registered, actor))
            {
                _named.Remove((actor.Namespace, name));
                named = true;
            }
            _pinned.Remove(actor);
            _all.Remove(actor);
            // Still found by id while referenced: a handle to a dead actor fails its calls with the real cause.
            return named;
        }
    }

    public ActorHandle<T> Get<T>(string name, string @namespace)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(name);
        var actor = Find(name, @namespace);
        if (actor is null)
        {
            throw new RayException(
                $"No actor named '{name}' in namespace '{@namespace}'. Create it with {typeof(T).Name}.Remote.With(new ActorOptions {{ Name = \"{name}\" }}).New(...), " +
                "and check the namespace (RayOptions.Namespace / ActorOptions.Namespace).");
        }
        if (actor.ClrType != typeof(T))
        {
            throw new RayException(
                $"The actor named '{name}' is of class {actor.ClrType.Name}, not {typeof(T).Name}: call Ray.GetActor<{actor.ClrType.FullName}>(\"{name}\").");
        }
        return new ActorHandle<T>(actor);
    }

    /// <summary>Ends every actor; later registrations fail.</summary>
    public void Stop(string reason)
    {
        List<ActorCore> actors;
        lock (_lock)
        {
            _stopped = true;
            actors = _all.Select(pair => pair.Key).ToList();
        }
        foreach (var actor in actors)
        {
            actor.Die(new ActorDiedException($"The actor {actor.DisplayName} is dead: {reason}."));
        }
    }
}
