using System.Diagnostics;
using GenRay.Internal;
using MessagePack;

namespace GenRay.Cluster;

/// <summary>
/// The driver of a multi-process GenRay on one machine: it owns the node's resources and scheduler (tasks are
/// admitted here, by logical CPUs, then sent to the least busy worker), places actors on workers, and answers
/// what workers ask: work their code submits, objects they wait for, actors they look up. A worker that dies is
/// replaced, so the node keeps the processes its CPUs are served by.
/// </summary>
internal sealed class DriverNode : ClusterNode
{
    private readonly LeaseTable _leases = new();
    private readonly IWorkerLauncher _launcher;
    private readonly Nodes.ClusterSession? _cluster;
    private readonly Func<Nodes.NodeSlot, bool> _hasLiveWorker; // made once: asked for every task on a cluster
    private readonly WorkerPool _pool;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _lostHolders = new();
    private readonly Lineage _lineage;

    // Connections to other jobs' drivers whose named actors this job calls, by their address.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DriverLink> _links = new(StringComparer.Ordinal);

    // Actors a worker created whose creation was refused here (a name taken): their calls fail with why.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ActorId, ActorDiedException> _refused = new();
    private long _nextTaskId;
    private long _nextCallId;

    private DriverNode(RayRuntime runtime, Nodes.ClusterSession? cluster) : base(runtime)
    {
        _cluster = cluster;
        _hasLiveWorker = HasLiveWorker;
        _launcher = cluster is null ? new WorkerLauncher(runtime.OwnerId, runtime.Namespace) : new Nodes.ClusterLauncher(cluster);
        _pool = new WorkerPool(this, _launcher);
        _lineage = new Lineage(this);
    }

    /// <summary>The workers serving this driver, in the order they joined (a dead one leaves once it is replaced).</summary>
    public IReadOnlyList<WorkerHandle> Workers => _pool.All;

    /// <summary>Rebuilds values lost with their holder, for a read here or for a task that needs them.</summary>
    public Lineage Lineage => _lineage;

    /// <summary>How many workers died and were replaced (or are being replaced).</summary>
    public int Replacements => _pool.Replacements;

    /// <summary>Starts the driver's endpoint and <paramref name="count"/> worker processes, and waits until all joined.</summary>
    public static DriverNode Start(RayRuntime runtime, int count)
    {
        // This machine's workers answer only to their driver on loopback: no cluster token (one an earlier
        // runtime of this process used on a cluster included).
        Nodes.ClusterSecurity.Use(Nodes.ClusterCredentials.None);
        SharedMemory.RemoveOrphans();
        var driver = new DriverNode(runtime, null);
        try
        {
            driver.Server.LocalSockets = true;
            driver.Server.StartAsync(System.Net.IPAddress.Loopback, 0).GetAwaiter().GetResult();
            driver._pool.StartInitial(count);
            return driver;
        }
        catch
        {
            driver.Stop();
            throw;
        }
    }

    /// <summary>
    /// The driver of a job on a cluster: its endpoint listens where the cluster's nodes reach it, and its workers,
    /// one per CPU of each node, are started by the nodes' daemons.
    /// </summary>
    public static DriverNode StartCluster(RayRuntime runtime, Nodes.ClusterSession cluster)
    {
        var driver = new DriverNode(runtime, cluster);
        runtime.Resources.Feasibility = cluster.Placement.Infeasible;
        try
        {
            var local = cluster.LocalAddress();
            // Other jobs' drivers connect here to call the actors this job named (their calls come through the owner).
            driver.Server.OnConnect(connection => new DriverLink(driver, connection, "another job's driver"));
            driver.Server.StartAsync(local, 0, local.ToString()).GetAwaiter().GetResult();
            runtime.Actors.Claim = driver.ClaimName;
            runtime.Actors.Unclaim = driver.DropName;
            runtime.Actors.LookUp = driver.LookUpElsewhere;
            driver._pool.StartInitial(cluster.Placement.Nodes.Sum(n => n.WorkersWanted));
            cluster.Attach(driver.Report, driver.NodeLost);
            return driver;
        }
        catch
        {
            driver.Stop();
            throw;
        }
    }

    /// <summary>Connects to a started worker process and waits for its hello; the pool adds the handle it returns.</summary>
    internal WorkerHandle Join(WorkerStart started, int index)
    {
        var handle = new WorkerHandle(this, index, started.Process, started.Address, started.Node);
        var connection = Server.Connect(started.Address, handle.Name, CancellationToken.None);
        connection.CallersRead = true;
        handle.Attach(connection);
        var hello = new Handshake(handle);
        _ = connection.RunAsync(hello);
        connection.Send(Messages.Build(MessageKind.Welcome, 3, (ref MessagePackWriter w) =>
        {
            w.Write(Runtime.OwnerId);
            w.Write(handle.Index);
            w.Write(Runtime.Options.StrictSerialization);
        }));
        if (!hello.Joined.Wait(TimeSpan.FromSeconds(30)))
        {
            throw new RayException($"{handle.Name} did not answer within 30 s.");
        }
        if (hello.Refusal is { } refusal)
        {
            throw refusal;
        }
        return handle;
    }

    public long NextTaskId() => Interlocked.Increment(ref _nextTaskId);

    public long NextCallId() => Interlocked.Increment(ref _nextCallId);

    /// <summary>
    /// A ready task: admitted at once if the node has its resources (it opens a lease on the least busy worker);
    /// otherwise, while nothing waits ahead of it, queued on an open lease of its kind; otherwise it waits for
    /// resources in the node's queue like any task.
    /// </summary>
    public override void Schedule(TaskInvocation task)
    {
        if (Runtime.Scheduler.TryStartNow(task))
        {
            return;
        }
        if (!task.IsCancelled && Runtime.Scheduler.QueuedCount == 0 && _leases.TryAttach(task) is { } lease)
        {
            lease.Worker.Execute(task, lease);
            return;
        }
        Runtime.Scheduler.Submit(task);
    }

    public override void Start(TaskInvocation task)
    {
        if (task.IsCancelled)
        {
            task.MarkDispatched(); // admitted: it holds the resources it is about to give back
            task.CompleteRemotely(_ => { }); // cancelled while queued: never runs
            return;
        }
        if (_cluster is not null)
        {
            StartOnNode(task, _cluster.Placement);
            return;
        }
        var worker = LeastBusy(w => w.Running);
        if (worker is null)
        {
            // Every worker died: the task keeps its admitted resources and goes out when a replacement joins.
            if (!_pool.WhenOneJoins(() => Start(task)))
            {
                task.MarkDispatched();
                task.CompleteRemotely(result => result.TrySetException(new RayException(
                    $"No worker process is alive to run this task, and none could be started: {_pool.LastStartFailure ?? "GenRay is stopping"}.")));
            }
            return;
        }
        // The admitted task's resources become the lease's, for it and whatever queues on it later.
        worker.Execute(task, _leases.Open(worker, task.Request));
    }

    // A cluster: the task goes to a node where what the job was granted can hold its resources now (custom ones only
    // where they are), to the least busy of this driver's workers there; when none can, it waits for its job's work
    // to give resources back or for a node to grant more, which it asks for.
    private void StartOnNode(TaskInvocation task, Nodes.NodePlacement placement)
    {
        if (placement.TryAcquire(task.Request, _hasLiveWorker) is not { } node)
        {
            if (placement.Infeasible(task.Request) is { } why)
            {
                task.MarkDispatched();
                task.CompleteRemotely(result => result.TrySetException(new RayException($"{task.Name} can no longer run: {why}.")));
                return;
            }
            if (!AnyNodeServes(placement) && !_pool.WhenOneJoins(() => Start(task)))
            {
                task.MarkDispatched();
                task.CompleteRemotely(result => result.TrySetException(new RayException(
                    $"No worker process is alive to run this task, and none could be started: {_pool.LastStartFailure ?? "GenRay is stopping"}.")));
                return;
            }
            placement.Wait(() => Start(task));
            _cluster!.Grants.Ask(task.Request, _hasLiveWorker); // after Wait: a grant that comes at once must find the task waiting
            return;
        }
        var worker = LeastBusy(w => w.Running, node);
        if (worker is null)
        {
            placement.Release(node, task.Request); // its last worker died just now
            Start(task);
            return;
        }
        worker.Execute(task, _leases.Open(worker, task.Request));
    }

    // Whether some live node has a worker serving: if not, work waits for a replacement to join, not for resources.
    private bool AnyNodeServes(Nodes.NodePlacement placement) => placement.Nodes.Any(n => n.IsAlive && HasLiveWorker(n));

    private bool HasLiveWorker(Nodes.NodeSlot node)
    {
        foreach (var worker in _pool.All)
        {
            if (!worker.IsLost && worker.Node == node)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// A task left its lease. Tasks of the same shape at the head of the node's queue take its place (Ray's lease
    /// reuse: the resources pass from task to task on the worker); when none does and it was the last, the lease's
    /// resources go back to the node.
    /// </summary>
    /// <remarks>
    /// Without this, work that once queued (more submitted than the open leases could take) stayed queued for
    /// good: each task was admitted alone when a whole lease ended, one round trip per task per CPU. Tasks that
    /// workers' code submits arrive that way, and ran 30 times slower than the driver's own.
    /// </remarks>
    public void LeaveLease(TaskInvocation task)
    {
        if (task.TakeLease() is { } lease)
        {
            Leave(lease);
        }
    }

    /// <summary>One attachment of <paramref name="lease"/> ends (a task's, or the hold of the worker it was given to): see <see cref="LeaveLease"/>.</summary>
    public void Leave(TaskLease lease)
    {
        // On a node other jobs wait at, the lease ends as its tasks finish, so what it holds goes back to the node.
        if (!lease.Worker.IsLost && lease.Worker.Node is not { Contended: true })
        {
            while (Runtime.Scheduler.TakeHeadIf(s_sameShape, (lease, _leases)) is TaskInvocation next)
            {
                lease.Worker.Execute(next, lease);
            }
        }
        if (lease.Detach())
        {
            _leases.Close(lease);
            Runtime.Scheduler.Release(lease.Request);
            if (lease.Worker.Node is { } node)
            {
                _cluster!.Placement.Release(node, lease.Request);
            }
        }
    }

    // Whether queued work is a task that may go on the lease: the same resources, not cancelled, and room on it.
    private static readonly Func<Scheduling.ISchedulable, (TaskLease Lease, LeaseTable Table), bool> s_sameShape = static (work, state) =>
        work is TaskInvocation { IsCancelled: false } queued
        && ReferenceEquals(queued.Request, state.Lease.Request)
        && state.Lease.TryAttach(state.Table.Depth(queued.Method));

    /// <summary>How long a task of this method ran in its worker (the depth its leases may queue follows from it).</summary>
    public void Ran(TaskInvocation task, double micros) => _leases.Ran(task.Method, micros);

    public override ActorCore CreateActor(ActorCreation creation, Type actorClass) => new RemoteActor(Runtime, creation, actorClass, this);

    /// <summary>
    /// Fetches a value held by a worker. If that worker died, the value is rebuilt from its lineage: the task that
    /// produced it runs again (Ray's object reconstruction).
    /// </summary>
    public override Fetched Fetch(RemoteValue location, ObjectId id) =>
        _lostHolders.TryGetValue(location.Holder, out var why)
            ? _lineage.Rebuild(location, id, why)
            : base.Fetch(location, id);

    public override void Cancel(TaskInvocation task, bool force)
    {
        if (task.RemoteHost is not { } host)
        {
            return; // not sent yet: it never will be (Start checks), and the result already says cancelled
        }
        if (force)
        {
            // Ray's force: the worker process ends, whatever the task's code does; other work it had is retried.
            host.Kill($"Ray.Cancel(force: true) of {task.Name}");
        }
        else
        {
            host.Cancel(task.RemoteId, force);
        }
    }

    /// <summary>
    /// Where a new actor goes: the worker with the fewest actors. Null while every worker is dead and a replacement
    /// is starting: <paramref name="retry"/> runs once one joined.
    /// </summary>
    public WorkerHandle? Place(Action retry) => Place(Scheduling.ResourceRequest.None, retry);

    /// <summary>
    /// Where a new actor goes: in a cluster, a node where the job's grant can hold its resources (which it keeps
    /// while it lives, given back with <see cref="ActorGone"/>), then the worker there with the fewest actors;
    /// when none can, the node is asked for more, as for a task.
    /// </summary>
    public WorkerHandle? Place(Scheduling.ResourceRequest request, Action retry)
    {
        if (_cluster is { Placement: var placement })
        {
            // Actors mostly hold no resources, so free CPUs do not tell nodes apart: the one with the fewest actors goes first.
            if (placement.TryAcquire(request, _hasLiveWorker, n => _pool.All.Where(w => w.Node == n && !w.IsLost).Sum(w => w.Actors)) is { } node)
            {
                if (LeastBusy(w => w.Actors, node) is { } there)
                {
                    return there;
                }
                placement.Release(node, request);
            }
            if (placement.Infeasible(request) is { } why)
            {
                throw new RayException($"The actor can no longer be placed: {why}.");
            }
            if (AnyNodeServes(placement))
            {
                placement.Wait(retry);
                _cluster.Grants.Ask(request, _hasLiveWorker);
                return null;
            }
        }
        else if (LeastBusy(w => w.Actors) is { } worker)
        {
            return worker;
        }
        return _pool.WhenOneJoins(retry)
            ? null
            : throw new RayException($"No worker process is alive to host the actor, and none could be started: {_pool.LastStartFailure ?? "GenRay is stopping"}.");
    }

    /// <summary>An actor placed with <see cref="Place(Scheduling.ResourceRequest, Action)"/> left <paramref name="host"/>: its node gets its resources back.</summary>
    public void ActorGone(WorkerHandle host, Scheduling.ResourceRequest request)
    {
        if (host.Node is { } node)
        {
            _cluster!.Placement.Release(node, request);
        }
    }

    internal WorkerHandle? LeastBusy(Func<WorkerHandle, int> load, Nodes.NodeSlot? on = null)
    {
        WorkerHandle? best = null;
        foreach (var worker in _pool.All)
        {
            if (!worker.IsLost && (on is null || worker.Node == on) && (best is null || load(worker) < load(best)))
            {
                best = worker;
            }
        }
        return best;
    }

    public override void Exporting(ObjectRef pending) => Objects.Add(pending, pin: true);

    public override void Subscribe(ObjectRef proxy)
    {
        // A pending argument of another job's call arrives while its message is read: that job's driver tells us.
        if (DriverLink.Reading is { } link)
        {
            link.Subscribe(proxy);
            return;
        }
        // One a worker sent that the driver does not know (the result of an actor call that did not go through the
        // driver, a ref another worker sent it): that worker tells its outcome once ready.
        if (WorkerHandle.Reading is { } worker)
        {
            worker.AwaitPush(proxy);
            return;
        }
        proxy.TrySetException(new RayException($"{proxy} is pending in another process that is not this driver's worker."));
    }

    public override ActorCore FindActor(ActorId id, string typeId, Type actorClass) =>
        Runtime.Actors.TryGet(id, out var actor) ? actor : throw new RayException($"Actor {id} ({typeId}) is not known to this driver: it was never created here, or it died.");

    private long _tasksFromWorkers;

    /// <summary>How many tasks workers' code sent through this driver (the rest ran on the workers' own leases).</summary>
    internal long TasksFromWorkers => Interlocked.Read(ref _tasksFromWorkers);

    /// <summary>A task a worker's code submitted: the driver schedules it like its own; the worker is told the outcome.</summary>
    public void SubmitFrom(WorkerHandle worker, ref MessagePackReader reader)
    {
        Interlocked.Increment(ref _tasksFromWorkers);
        var resultId = IdCodec.ReadObjectId(ref reader);
        var methodId = WireIds.Decode(WireIds.Utf8(ref reader), stackalloc char[WireIds.StackChars]);
        TaskInvocation task;
        var atArguments = reader; // where to skip from when the task cannot be made: the batch's next message follows it
        try
        {
            using var ids = InvocationContext.WithResultId(resultId);
            using var wire = Serialization.WireContext.Enter(WireContext);
            task = RemoteRegistry.TryGetTask(methodId, out var read)
                ? read(ref reader)
                : throw new RayException($"The driver has no remote '{methodId}': the worker runs different code.");
            if (TaskOptionsCodec.Read(ref reader) is { } options)
            {
                task.UseOptions(options); // the CPUs, resources, retries and name the worker's call gave it
            }
        }
        catch (RayException error)
        {
            reader = atArguments;
            reader.Skip(); // the arguments
            reader.Skip(); // the options
            ReplyFailure(worker, resultId, error);
            return;
        }
        Objects.Pin(task.ResultRef);
        worker.Submitted(task);
        NotifyWhenReady(worker, task.ResultRef);
        Runtime.Executor.Submit(task);
    }

    /// <summary>
    /// A worker asks for a lease of its own for tasks of a method its code submits (<see cref="OwnLeases"/>): it is
    /// granted once the node has the method's resources, in turn with other work; refused in a cluster (where work
    /// goes by the nodes' grants) and for a method the driver does not have.
    /// </summary>
    public void AskLeaseFrom(WorkerHandle worker, ref MessagePackReader reader)
    {
        var methodId = WireIds.Decode(WireIds.Utf8(ref reader), stackalloc char[WireIds.StackChars]);
        if (_cluster is not null)
        {
            worker.RefuseLease(methodId.ToString(), "work a worker submits is placed by the cluster's nodes");
            return;
        }
        if (!RemoteRegistry.TryGetTaskMethod(methodId, out var method))
        {
            worker.RefuseLease(methodId.ToString(), $"the driver has no remote '{methodId}': the worker runs different code");
            return;
        }
        Scheduling.ResourceRequest request;
        try
        {
            request = method.RequestIn(Runtime, method.Defaults);
        }
        catch (RayException error)
        {
            worker.RefuseLease(method.Id, error.Message); // the node can never hold it: its tasks fail at the driver saying why
            return;
        }
        var ask = new LeaseAsk(worker, method, request, _leases, Runtime.Scheduler);
        if (!Runtime.Scheduler.TryStartNow(ask))
        {
            Runtime.Scheduler.Submit(ask);
        }
    }

    public void CreateActorFrom(WorkerHandle worker, ref MessagePackReader reader)
    {
        var actorId = IdCodec.ReadActorId(ref reader);
        var typeId = reader.ReadString() ?? "";
        var constructorId = reader.ReadString() ?? "";
        using var ids = InvocationContext.WithActorId(actorId);
        using var wire = Serialization.WireContext.Enter(WireContext);
        if (!RemoteRegistry.TryGetConstructor(RemoteRegistry.ConstructorKey(typeId, constructorId), out var read))
        {
            reader.Skip();
            reader.Skip();
            return; // calls to it will fail: the actor is unknown here
        }
        var atArguments = reader; // where to skip from when the actor cannot be made: the batch's next message follows it
        try
        {
            var creation = read(ref reader);
            if (ActorOptionsCodec.Read(ref reader) is { } options)
            {
                creation.UseOptions(options); // the name, restarts and resources the worker's call gave it
            }
            creation.SubmitUntyped();
        }
        catch (RayException error)
        {
            reader = atArguments;
            reader.Skip(); // the arguments
            reader.Skip(); // the options
            // Refused (its name is taken, in this job or another): the worker's handle fails its calls saying so.
            _refused[actorId] = new ActorDiedException($"The actor {typeId} ({actorId}) never started: {error.Message}", error);
        }
    }

    private long _callsFromWorkers;

    /// <summary>How many actor calls workers' code sent through this driver (the rest went straight to the actor's worker).</summary>
    internal long CallsFromWorkers => Interlocked.Read(ref _callsFromWorkers);

    /// <summary>An actor call made by a worker's code, or by another job's driver (to an actor this job named).</summary>
    public void CallActorFrom(IDriverClient caller, ref MessagePackReader reader)
    {
        var resultId = IdCodec.ReadObjectId(ref reader);
        var actorId = IdCodec.ReadActorId(ref reader);
        var methodId = WireIds.Decode(WireIds.Utf8(ref reader), stackalloc char[WireIds.StackChars]);
        ActorCall call;
        var atArguments = reader; // where to skip from when the call cannot be made: the batch's next message follows it
        try
        {
            if (!Runtime.Actors.TryGet(actorId, out var actor))
            {
                throw _refused.TryGetValue(actorId, out var refused)
                    ? refused
                    : new ActorDiedException($"Actor {actorId} is not alive (it died, or was never created).");
            }
            using var ids = InvocationContext.WithResultId(resultId);
            using var wire = Serialization.WireContext.Enter(WireContext);
            call = RemoteRegistry.TryGetActorMethod(methodId, out var read)
                ? read(ref reader, actor)
                : throw new RayException($"The driver of {actor.DisplayName} has no actor method '{methodId}': {caller.Name} runs different code.");
        }
        catch (RayException error)
        {
            reader = atArguments;
            reader.Skip(); // the arguments
            ReplyFailure(caller, resultId, error);
            return;
        }
        Objects.Pin(call.ResultRef);
        RemoteActor? calledDirectly = null;
        if (caller is WorkerHandle)
        {
            Interlocked.Increment(ref _callsFromWorkers);
            calledDirectly = call.Actor is RemoteActor { CalledDirectly: true } remote ? remote : null;
        }
        NotifyWhenReady(caller, call.ResultRef, calledDirectly);
        call.SubmitUntyped();
    }

    public void SubscribeFrom(IDriverClient worker, ObjectId id)
    {
        if (Objects.TryGet(id, out var value))
        {
            NotifyWhenReady(worker, value);
        }
        else
        {
            ReplyFailure(worker, id, new RayException($"The driver no longer knows object {id}: its owner released it."));
        }
    }

    public void LookUpActorFor(WorkerHandle worker, ref MessagePackReader reader)
    {
        var requestId = reader.ReadInt64();
        var name = reader.ReadString() ?? "";
        var ns = reader.ReadString() ?? "";
        // Off the connection's reader: a name this job lacks is asked of the cluster's head.
        ThreadPool.QueueUserWorkItem(_ => AnswerLookUp(worker, requestId, name, ns));
    }

    private void AnswerLookUp(WorkerHandle worker, long requestId, string name, string ns)
    {
        ActorCore? actor = null;
        string? failure = null;
        try
        {
            actor = Runtime.Actors.Find(name, ns);
        }
        catch (RayException error)
        {
            failure = error.Message; // the worker's GetActor throws it
        }
        worker.Send(Messages.Build(MessageKind.ActorInfo, 4, (ref MessagePackWriter w) =>
        {
            w.Write(requestId);
            if (actor is null)
            {
                w.WriteNil();
                w.WriteNil();
                w.Write(failure);
            }
            else
            {
                IdCodec.Write(ref w, actor.Id);
                w.Write(actor.Type.Id);
                w.Write(actor.ClrType.FullName);
            }
        }));
    }

    /// <summary>
    /// Tells a worker or another job's driver where a value is. One whose holder died is rebuilt first (off this
    /// thread): the worker asks when it could not fetch the value, and waits as Ray's borrowers wait for the owner
    /// to reconstruct.
    /// </summary>
    public void SendReady(IDriverClient client, ObjectRef value)
    {
        if (value.Remote is { } location && HolderLost(location.Holder))
        {
            Lineage.Restore(value, then: () => Ready(client, value)); // still lost, it goes as a failure
            return;
        }
        Ready(client, value);
    }

    private void Ready(IDriverClient client, ObjectRef value)
    {
        using var message = Messages.ForSending<(ObjectRef Value, ClusterNode Node), object?>(WireContext, MessageKind.ObjectReady, 2, Outcome.Ready, (value, this), null, null, client.Name);
        if (!client.IsLost)
        {
            client.Send(message.Bytes);
        }
    }


    // A named actor of this job: its name is claimed across the cluster, so no other job's actor takes it.
    private void ClaimName(ActorCore actor) => _cluster!.ClaimName(Named(actor));

    private void DropName(ActorCore actor) => _cluster!.DropName(Named(actor));

    private Nodes.NamedActor Named(ActorCore actor) =>
        new(actor.Namespace, actor.Name!, _cluster!.JobId, actor.Id.Owner, actor.Id.Sequence, actor.Type.Id, actor.ClrType.FullName ?? actor.ClrType.Name, Server.Address);

    /// <summary>
    /// A named actor another job of the cluster created (Ray's <c>get_actor</c> across jobs of one namespace): its
    /// calls go to that job's driver, which owns it. Null when no job has an actor of that name.
    /// </summary>
    private ActorCore? LookUpElsewhere(string name, string @namespace)
    {
        if (_cluster!.FindName(@namespace, name) is not { } named || named.JobId == _cluster.JobId)
        {
            return null;
        }
        var id = new ActorId(named.Owner, named.Sequence);
        lock (_links)
        {
            if (Runtime.Actors.TryGet(id, out var known) && !known.IsDead)
            {
                return known;
            }
            var actorClass = RemoteRegistry.FindClass(named.Class) ?? throw new RayException(
                $"The actor named '{name}' in namespace '{@namespace}' is of class {named.Class}, created by {named.JobId}, and this program has no such [Remote] class. " +
                "A job can call another job's actor only if it was built with the actor's class.");
            var link = Link(named);
            using var ids = InvocationContext.WithActorId(id);
            var actor = new ForeignActor(Runtime, new RemoteActorType(named.TypeId, actorClass.Name, hasAsyncMethods: false), actorClass, link);
            Runtime.Actors.Register(actor);
            link.Adopt(actor);
            return actor;
        }
    }

    // Under the _links lock. The connection to the driver owning a named actor, opened on first use.
    private DriverLink Link(Nodes.NamedActor named)
    {
        if (_links.TryGetValue(named.Driver, out var open) && !open.IsLost)
        {
            return open;
        }
        var name = $"the driver of {named.JobId} ({named.Driver})";
        var connection = Server.Connect(named.Driver, name, CancellationToken.None);
        var link = new DriverLink(this, connection, name);
        _links[named.Driver] = link;
        _ = connection.RunAsync(link);
        link.Introduce(_cluster!.JobId);
        return link;
    }

    private void NotifyWhenReady(IDriverClient worker, ObjectRef value, RemoteActor? calledActor = null) =>
        value.WhenReady(new ReadyNotice(worker, this, calledActor));

    private static void ReplyFailure(IDriverClient worker, ObjectId id, RayException error) => worker.Send(Outcome.FailureMessage(id, error));

    public override bool HolderLost(string holder) => _lostHolders.ContainsKey(holder);

    /// <summary>A worker is gone (its handle already failed or rescheduled its work): start another in its place.</summary>
    public void WorkerLost(WorkerHandle worker, string why)
    {
        _lostHolders[worker.Address] = $"{worker.Name} {why}";
        if (worker.Process.IsLocal)
        {
            SharedMemory.RemoveFilesOf(worker.Pid); // the values it held died with it
        }
        worker.Node?.WorkerGone();
        _pool.Replace(worker);
        _cluster?.Placement.RunWaiting(); // work waiting for that node's resources may go elsewhere now
    }

    // The head declared a node dead: its workers are gone even if their connections have not noticed yet.
    private void NodeLost(Nodes.NodeSlot node, string why)
    {
        foreach (var worker in _pool.All.Where(w => w.Node == node && !w.IsLost))
        {
            worker.Lost($"was lost with its node {node.Id}, which {why}");
        }
    }

    /// <summary>What this job tells the head every second (<c>genray status</c>, <c>genray list</c>).</summary>
    private Nodes.JobReport Report()
    {
        var workers = _pool.All;
        var running = workers.SelectMany(w => w.RunningTasks.Select(t => new Nodes.TaskInfo(t.ResultRef.Id.ToString(), t.Name, "RUNNING", w.Node?.Id, _cluster!.JobId))).Take(1000).ToList();
        var tasks = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["PENDING"] = Runtime.Scheduler.QueuedCount,
            ["RUNNING"] = workers.Sum(w => w.Running),
            ["FINISHED"] = (int)Interlocked.Read(ref _finished),
            ["FAILED"] = (int)Interlocked.Read(ref _failed),
        };
        var actors = Runtime.Actors.All.Select(a => new Nodes.ActorInfo(a.Id.ToString(), a.ClrType.Name, a.Name,
            a is RemoteActor remote ? remote.State : "ALIVE", a is RemoteActor { Host: { } host } ? host.Node?.Id : null, _cluster!.JobId)).ToList();
        var objects = Nodes.JobObjects.Collect(Server, workers, _cluster!.JobId);
        // What its tasks and actors use, not what the nodes granted it: holdings idle until they go back are free.
        var used = _cluster!.Placement.Nodes.ToDictionary(n => n.Id, n =>
        {
            var held = n.Resources.Snapshot(available: false);
            var idle = n.Resources.Snapshot(available: true);
            return n.Total.ToDictionary(t => t.Key, t => held.GetValueOrDefault(t.Key) - idle.GetValueOrDefault(t.Key), StringComparer.Ordinal);
        }, StringComparer.Ordinal);
        return new Nodes.JobReport(_cluster.JobId, tasks, actors, running, objects, used);
    }

    private long _finished;
    private long _failed;

    /// <summary>Counts a task that ran in a worker and is done (for the job's report).</summary>
    public void Finished(bool failed) => Interlocked.Increment(ref failed ? ref _failed : ref _finished);

    public override void Stop()
    {
        var workers = _pool.Stop();
        foreach (var worker in workers)
        {
            try
            {
                worker.Shutdown();
                worker.Process.EndLifeline();
            }
            catch (Exception)
            {
                // Already gone.
            }
        }
        var deadline = Stopwatch.StartNew();
        foreach (var worker in workers)
        {
            var left = TimeSpan.FromSeconds(1) - deadline.Elapsed;
            if (left <= TimeSpan.Zero || !worker.Process.WaitForExit(left))
            {
                worker.Process.Kill();
            }
        }
        _launcher.KillStarting();
        foreach (var worker in workers)
        {
            worker.Lost("stopped with GenRay");
        }
        _pool.FailParked();
        foreach (var link in _links.Values)
        {
            link.Close();
        }
        _cluster?.Dispose();
        Objects.Clear();
        base.Stop();
    }

    /// <summary>
    /// Tells a worker an object is ready (the result of work its code submitted, or a ref it waits for). For a
    /// worker's call to <c>calledActor</c>, it first tells the worker where that actor lives if it was not told yet,
    /// so that comes before the answer that may let the worker's next call go there straight.
    /// </summary>
    private sealed class ReadyNotice(IDriverClient worker, DriverNode driver, RemoteActor? calledActor = null) : IObjectListener
    {
        public void OnObjectReady(ObjectRef completed)
        {
            if (calledActor is not null && worker is WorkerHandle caller && !caller.IsLost && calledActor.Locate(caller) is { } host)
            {
                caller.Send(Messages.Build(MessageKind.ActorAt, 2, (ref MessagePackWriter w) =>
                {
                    IdCodec.Write(ref w, calledActor.Id);
                    w.Write(host);
                }));
            }
            if (!worker.IsLost)
            {
                worker.ObjectReady(completed);
            }
            if (completed.Remote is not null)
            {
                // Held by a process that may die: a worker that then cannot fetch it asks the driver, which rebuilds it
                // from the lineage this ref carries, as long as it lives. A value sent whole is never fetched.
                driver.Objects.Add(completed, pin: false);
            }
            driver.Objects.Unpin(completed.Id);
        }
    }

    /// <summary>The first message a worker sends: who it is and which code it runs.</summary>
    private sealed class Handshake(WorkerHandle worker) : IPeerHandler
    {
        private IPeerHandler? _next;

        public ManualResetEventSlim Joined { get; } = new();

        public RayException? Refusal { get; private set; }

        public void OnMessage(PeerConnection peer, MessageKind kind, ref MessagePackReader reader)
        {
            if (_next is not null)
            {
                _next.OnMessage(peer, kind, ref reader);
                return;
            }
            if (kind != MessageKind.Hello)
            {
                throw new MessagePackSerializationException($"{worker.Name} spoke before saying hello.");
            }
            var pid = reader.ReadInt32();
            var fingerprint = reader.ReadString();
            var version = reader.ReadString();
            var mine = RemoteRegistry.Fingerprint();
            if (version != WorkerLauncher.ProtocolVersion)
            {
                Refusal = new RayException($"{worker.Name} runs GenRay protocol {version}, this driver {WorkerLauncher.ProtocolVersion}: start both from the same GenRay version.");
            }
            else if (fingerprint != mine)
            {
                Refusal = new RayException(
                    $"{worker.Name} (pid {pid}) was built from different code: its remotes' fingerprint is {fingerprint}, the driver's {mine}. " +
                    "Workers must run the same build as the driver; rebuild and start again.");
            }
            _next = worker;
            Joined.Set();
        }

        public void OnClosed(PeerConnection peer, Exception? error)
        {
            if (_next is not null)
            {
                _next.OnClosed(peer, error);
                return;
            }
            Refusal = new RayException($"{worker.Name} closed its connection before joining: {error?.Message ?? "no reason given"}.", error);
            Joined.Set();
        }
    }
}
