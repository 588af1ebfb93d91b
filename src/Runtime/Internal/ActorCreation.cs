using System.ComponentModel;
using GenRay.Scheduling;
using GenRay.Serialization;

namespace GenRay.Internal;

/// <summary>
/// Creating an actor: runs its constructor once the constructor's arguments are ready and the node holds
/// the resources the actor reserves for its lifetime. For generated code; see <see cref="ActorCreation{TActor}"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class ActorCreation : Invocation, ISchedulable
{
    private volatile bool _dependenciesReady;
    private volatile bool _admitted;
    private Exception? _dependencyError;

    private protected ActorCreation(RemoteActorType type, string constructorId, ActorOptions? options)
    {
        Runtime = RayRuntime.RequireCurrent();
        Type = type;
        ConstructorId = constructorId;
        Use(options is null ? type.Defaults : ActorOptions.Merge(type.Defaults, options));
    }

    // The options, the resources they reserve, and their check.
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(Request))]
    private void Use(ActorOptions? o)
    {
        Options = o;
        Request = Runtime.Executor.AccountsResources
            ? Runtime.Resources.Resolve($"Actor {Type.Name}", o?.NumCpus ?? 0, o?.NumGpus ?? 0, o?.Resources)
            : ResourceRequest.None;
        if (o?.MaxConcurrency is < 1)
        {
            throw new RayException($"Actor {Type.Name}: MaxConcurrency must be 1 or more (it is {o.MaxConcurrency}).");
        }
    }

    /// <summary>
    /// Gives a creation read from the wire the per-call options it was made with (an actor a worker's code created:
    /// the generated reader knows only the class's defaults). Before it is submitted.
    /// </summary>
    internal void UseOptions(ActorOptions options) => Use(ActorOptions.Merge(Type.Defaults, options));

    internal RemoteActorType Type { get; }

    /// <summary>Which constructor: its signature, as the generator named it.</summary>
    internal string ConstructorId { get; }

    internal ActorOptions? Options { get; private set; }

    internal sealed override RayRuntime Runtime { get; }

    private protected override Exception? ReadDependencyError() => Volatile.Read(ref _dependencyError);

    private protected override void KeepDependencyError(Exception error) => Interlocked.CompareExchange(ref _dependencyError, error, null);

    /// <summary>Applies options decided elsewhere (the driver's, for an actor hosted in this worker).</summary>
    internal void Override(ActorOptions options) => Options = ActorOptions.Merge(Options, options);

    internal ResourceRequest Request { get; private set; }

    internal ActorCore? Actor { get; private protected set; }

    /// <summary>The constructor may run: its arguments are ready and its resources held.</summary>
    internal bool IsReadyToActivate => _dependenciesReady && _admitted;

    ResourceRequest ISchedulable.Request => Request;

    void ISchedulable.Start()
    {
        _admitted = true;
        Actor!.Kick();
    }

    void ISchedulable.Reject(Exception reason) => Actor!.Die(new ActorDiedException($"The actor {Actor.DisplayName} never started: {reason.Message}", reason));

    /// <summary>Whether the constructor's arguments are ready (a failed one makes the actor die instead).</summary>
    internal bool DependenciesReady => _dependenciesReady;

    /// <summary>Writes the constructor's arguments (for creating the actor in another process).</summary>
    internal void WriteArgumentsForWire(ref MessagePack.MessagePackWriter writer) => WriteArgumentsTo(ref writer);

    private protected override void OnDependenciesReady()
    {
        if (DependencyError is { } error)
        {
            Actor!.Die(new ActorDiedException($"The actor {Actor.DisplayName} never started: a constructor argument failed: {error.Message}", error));
            return;
        }
        _dependenciesReady = true;
        Admit();
    }

    /// <summary>Asks the node for the actor's lifetime resources (again, after a restart).</summary>
    internal void Admit()
    {
        _admitted = false;
        if (Request.IsEmpty)
        {
            ((ISchedulable)this).Start();
        }
        else
        {
            Runtime.Scheduler.Submit(this);
        }
    }

    /// <summary>Runs the constructor with the (resolved) arguments.</summary>
    internal abstract object CreateInstance();

    /// <summary>Submits a creation rebuilt from a message.</summary>
    internal abstract void SubmitUntyped();
}

/// <summary>Creating an actor of class <typeparamref name="TActor"/>: the generated subclass calls its constructor.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class ActorCreation<TActor> : ActorCreation
    where TActor : class
{
    /// <summary>Creates the request. For generated code.</summary>
    protected ActorCreation(RemoteActorType type, string constructorId, ActorOptions? options) : base(type, constructorId, options)
    {
    }

    /// <summary>Calls the actor's constructor with the (resolved) arguments.</summary>
    protected abstract TActor Activate();

    /// <summary>Creates the actor and returns its handle at once; calls queue until the constructor has run.</summary>
    public ActorHandle<TActor> Submit()
    {
        var actor = Runtime.Executor.CreateActor(this, typeof(TActor));
        Actor = actor;
        Runtime.Actors.Register(actor);
        Arm();
        return new ActorHandle<TActor>(actor);
    }

    internal override void SubmitUntyped() => Submit();

    internal override object CreateInstance() =>
        Runtime.Options.StrictSerialization ? ((ActorCreation<TActor>)StrictRoundTrip.Creation(this)).Activate() : Activate();
}
