using GenRay.Internal;

namespace GenRay.Scheduling;

/// <summary>
/// Where this process's remote work runs. In-process (<see cref="LocalExecutor"/>) tasks run on this process's
/// worker threads and actors in local mailboxes; a driver with worker processes sends admitted tasks and actors
/// to them; a worker process runs what it is sent and forwards what its code submits to the driver.
/// </summary>
internal abstract class Executor
{
    protected Executor(RayRuntime runtime) => Runtime = runtime;

    public RayRuntime Runtime { get; }

    /// <summary>A task was submitted here: by default it waits for its dependencies, then the node's resources.</summary>
    public virtual void Submit(TaskInvocation task) => task.ArmDependencies();

    /// <summary>A task is ready (its dependencies are): by default the node's scheduler admits it when its resources are free.</summary>
    public virtual void Schedule(TaskInvocation task) => Runtime.Scheduler.Submit(task);

    /// <summary>The node admitted a task (its resources are held): run it.</summary>
    public abstract void Start(TaskInvocation task);

    /// <summary>Makes the actor an <see cref="ActorHandle{T}"/> will point at.</summary>
    public abstract ActorCore CreateActor(ActorCreation creation, Type actorClass);

    /// <summary>A running task is about to wait for an object: give its resources back to the node.</summary>
    public virtual void Release(TaskInvocation task) => Runtime.Scheduler.Release(task.Request);

    /// <summary>The task resumes: it takes its resources again, even if that overdraws the node.</summary>
    public virtual void Reacquire(TaskInvocation task) => Runtime.Scheduler.ForceAcquire(task.Request);

    /// <summary>Whether admission, resources and retries are this process's business (false in a worker: the driver decides).</summary>
    public virtual bool AccountsResources => true;

    /// <summary>An actor of this process died (a worker tells the driver, so calls fail there with the same cause).</summary>
    public virtual void ActorDied(LocalActor actor, ActorDiedException cause)
    {
    }

    /// <summary>Fetches a value held by another process.</summary>
    public virtual Cluster.Fetched Fetch(Cluster.RemoteValue location, ObjectId id) =>
        throw new RayException($"{id} is held by {location.Holder}, but this GenRay runs in one process and cannot fetch it.");

    /// <summary>A task was cancelled: stop it wherever it runs (in-process its token is enough).</summary>
    public virtual void Cancel(TaskInvocation task, bool force)
    {
    }

    /// <summary>A named actor this process does not know (a worker asks the driver); null when there is none.</summary>
    public virtual ActorCore? LookUpActor(string name, string @namespace) => null;

    /// <summary>The context values are serialized in for other processes (in-process: none).</summary>
    public virtual Serialization.WireContext? Wire => null;

    public virtual void Stop()
    {
    }
}

/// <summary>Everything in this process: the embedded default.</summary>
internal sealed class LocalExecutor : Executor
{
    public LocalExecutor(RayRuntime runtime) : base(runtime)
    {
    }

    public override void Start(TaskInvocation task)
    {
        task.OfferInline(mayBeGot: !TaskWorkers.OnWorker);
        Runtime.Workers.Run(task);
    }

    public override ActorCore CreateActor(ActorCreation creation, Type actorClass) => new LocalActor(Runtime, creation, actorClass);
}
