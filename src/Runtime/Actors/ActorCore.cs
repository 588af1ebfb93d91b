using GenRay.Internal;

namespace GenRay;

/// <summary>
/// What an <see cref="ActorHandle{T}"/> points at: the actor's identity and the way to deliver calls to it.
/// In-process that is the actor's mailbox itself (<see cref="LocalActor"/>).
/// </summary>
internal abstract class ActorCore
{
    protected ActorCore(RayRuntime runtime, RemoteActorType type, Type clrType, ActorOptions? options)
    {
        Runtime = runtime;
        Type = type;
        ClrType = clrType;
        Options = options;
        Id = InvocationContext.TakeActorId() ?? ActorId.Next(runtime.OwnerId);
        Namespace = options?.Namespace ?? runtime.Namespace;
    }

    public ActorId Id { get; }

    public RayRuntime Runtime { get; }

    public RemoteActorType Type { get; }

    public Type ClrType { get; }

    public ActorOptions? Options { get; }

    public string? Name => Options?.Name;

    public string Namespace { get; }

    public string DisplayName => Name is null ? $"{Type.Name}({Id})" : $"{Type.Name} '{Name}' ({Id})";

    public abstract bool IsDead { get; }

    /// <summary>Queues a call; calls from one caller run in the order they were enqueued.</summary>
    public abstract void Enqueue(ActorCall call);

    /// <summary>Ends the actor: pending and later calls fail with <see cref="ActorDiedException"/>, unless it restarts.</summary>
    public abstract void Kill(bool noRestart, string reason);

    /// <summary>Ends the actor for good, with <paramref name="cause"/>.</summary>
    public abstract void Die(ActorDiedException cause);

    /// <summary>A queued call was cancelled (where the actor lives elsewhere, tell that process).</summary>
    public virtual void Cancel(ActorCall call)
    {
    }

    /// <summary>A call or the creation became ready: look at the queue again.</summary>
    public abstract void Kick();

    /// <summary>Whether the actor reserves node resources for its lifetime (then it is kept until killed).</summary>
    public virtual bool ReservesResources => false;
}
