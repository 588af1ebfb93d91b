using System.Collections.Concurrent;
using System.Globalization;
using GenRay.Internal;
using MessagePack;

namespace GenRay.Cluster;

/// <summary>
/// A worker process: it hosts a gRPC endpoint, accepts the driver's control stream, runs the tasks and hosts the
/// actors it is sent, and forwards to the driver whatever its code submits (tasks, actors, calls), which the
/// driver schedules. It exits when the driver says so, when the driver's connection closes, or when the
/// driver's process goes away (its stdin pipe closes), so no worker outlives its driver.
/// </summary>
internal sealed class WorkerNode : ClusterNode, IPeerHandler
{
    [ThreadStatic]
    private static bool t_hosting;

    private readonly InFlight<long, TaskInvocation> _running = new();
    private readonly InFlight<long, ActorCall> _calls = new();

    // Actors hosted here, kept until the driver says they are gone: a dead one still fails calls with its cause.
    private readonly ConcurrentDictionary<ActorId, LocalActor> _hosted = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<ActorCore?>> _lookups = new();
    private readonly ConcurrentDictionary<long, LeaseQueue> _leases = new();
    private readonly Func<long, LeaseQueue> _newLease;
    private readonly OwnLeases _own;
    private readonly ManualResetEventSlim _done = new();

    // Values this worker could not fetch from their holder and asked the driver about, by id: the answer comes as an ObjectReady.
    private readonly ConcurrentDictionary<ObjectId, TaskCompletionSource<Relocation>> _relocations = new();
    private static readonly TimeSpan s_relocateTimeout = TimeSpan.FromMinutes(5);
    private PeerConnection? _driver;

    private PeerConnection Driver => _driver ?? throw new RayException("This worker is not connected to a driver.");
    private long _nextRequest;

    private WorkerNode(RayRuntime runtime) : base(runtime)
    {
        _newLease = id => new LeaseQueue(id, Runtime.Workers, LeaseIdle);
        _own = new OwnLeases(AskLease, GiveBack);
        runtime.Actors.LookUp = LookUpActor;
        Exports = new PendingExports(this);
        Peers = new PeerLinks(this);
    }

    /// <summary>The pending refs of the message this thread is sending, told to a receiver that cannot know them.</summary>
    public PendingExports Exports { get; }

    /// <summary>The links to workers whose actors this worker's code calls straight, and what the driver does not know.</summary>
    public PeerLinks Peers { get; }

    public static bool IsWorkerProcess => Environment.GetEnvironmentVariable(WorkerLauncher.WorkerVariable) == "1";

    /// <summary>Runs this process as a worker until the driver is done with it, then exits the process.</summary>
    public static void Serve(RayRuntime runtime, Action<Scheduling.Executor> install)
    {
        var worker = new WorkerNode(runtime);
        install(worker);
        WatchDriver();
        worker.Server.LendReaders = true; // a lone task or actor call runs on the thread that read it
        worker.Server.OnConnect(connection =>
        {
            worker._driver = connection;
            worker.Send(MessageKind.Hello, 3, (ref MessagePackWriter w) =>
            {
                w.Write(Environment.ProcessId);
                w.Write(RemoteRegistry.Fingerprint());
                w.Write(WorkerLauncher.ProtocolVersion);
            });
            return worker;
        });
        // Another worker calling an actor hosted here: its calls are answered over its own link.
        worker.Server.OnPeerConnect((connection, address) => new PeerLink(worker, connection, address));
        // A cluster node's worker listens on the node's address (others fetch its values there); a local one on loopback.
        var host = Environment.GetEnvironmentVariable(Nodes.NodeAgent.NodeIpVariable);
        if (host is not null)
        {
            Nodes.ClusterSecurity.Use(Nodes.ClusterCredentials.FromEnvironment());
        }
        worker.Server.LocalSockets = host is null;
        worker.Server.StartAsync(host is null ? System.Net.IPAddress.Loopback : Nodes.NodeDaemon.Bind(host), 0, host).GetAwaiter().GetResult();
        Console.Out.WriteLine(WorkerOutput.ReadyLine + worker.Server.Address);
        Console.Out.Flush();
        worker._done.Wait();
        Console.Out.Flush();
        SharedMemory.RemoveFilesOf(Environment.ProcessId);
        Environment.Exit(0);
    }

    // The driver holds the write end of our stdin: end of file means it is gone, whatever killed it.
    private static void WatchDriver()
    {
        var watcher = new Thread(() =>
        {
            try
            {
                using var stdin = Console.OpenStandardInput();
                var buffer = new byte[64];
                while (stdin.Read(buffer, 0, buffer.Length) > 0)
                {
                }
            }
            catch (IOException)
            {
            }
            SharedMemory.RemoveFilesOf(Environment.ProcessId); // the values this worker held go with it
            Environment.Exit(0);
        })
        { IsBackground = true, Name = "GenRay driver watch" };
        watcher.Start();
    }

    public override bool AccountsResources => false;

    public override void Submit(TaskInvocation task)
    {
        if (!OwnLeases.Takes(task))
        {
            SubmitToDriver(task);
            return;
        }
        // Ray's owner holds a task until its arguments are ready, then runs it on a lease it holds: so does this
        // worker (Schedule, at once when nothing is pending). Its result is this worker's.
        task.ArmDependencies();
    }

    /// <summary>A task this worker's code submitted has its arguments: it runs on a lease of this worker's own, or goes to the driver if none may be had.</summary>
    public override void Schedule(TaskInvocation task)
    {
        if (!_own.TryRun(task))
        {
            SubmitToDriver(task);
        }
    }

    private void SubmitToDriver(TaskInvocation task)
    {
        Objects.Pin(task.ResultRef);
        Send(MessageKind.SubmitTask, 4, s_submit, task, s_notSubmitted);
    }

    // Static: no closure per task submitted (a worker's code may submit thousands at a time).
    private static readonly Messages.Writer<TaskInvocation> s_submit = static (ref MessagePackWriter w, in TaskInvocation task) =>
    {
        IdCodec.Write(ref w, task.ResultRef.Id);
        w.WriteRaw(task.Method.WireId);
        task.WriteArgumentsTo(ref w);
        TaskOptionsCodec.Write(ref w, ReferenceEquals(task.Options, task.Method.Defaults) ? null : task.Options);
    };

    private static readonly Action<Exception, TaskInvocation> s_notSubmitted = static (error, task) => task.ResultRef.TrySetException(error);

    public override void Start(TaskInvocation task) => Runtime.Workers.Run(task);

    /// <summary>
    /// Fetches a value held by another process. When that fails the holder may have died: the driver, which owns the
    /// value, is asked where it is now, and rebuilds it first if it was lost (Ray's borrower asks the owner, which
    /// reconstructs). When the driver cannot tell either, the error says where the value was, so the work that needed it
    /// reaches the driver as lost rather than failed (<see cref="Outcome"/>), and the driver can rebuild the value and
    /// run the work again.
    /// </summary>
    public override Fetched Fetch(RemoteValue location, ObjectId id)
    {
        try
        {
            return base.Fetch(location, id);
        }
        catch (RayException error) when (location.Holder != Server.Address)
        {
            return Relocate(location.Holder, id, error);
        }
    }

    // Blocks the fetching thread (a task's, which was going to wait for the value anyway) until the driver answers.
    private Fetched Relocate(string lostHolder, ObjectId id, RayException error)
    {
        var answer = new TaskCompletionSource<Relocation>(TaskCreationOptions.RunContinuationsAsynchronously);
        var asking = _relocations.GetOrAdd(id, answer);
        if (ReferenceEquals(asking, answer))
        {
            Send(MessageKind.Subscribe, 1, (ref MessagePackWriter w) => IdCodec.Write(ref w, id));
        }
        // Waiting, the task gives its CPUs back as in a blocking Get: the rebuild may need them.
        var waiting = TaskInvocation.Current;
        PeerConnection.ReaderBlocking(); // the answer comes through the driver's connection
        var blocked = waiting?.Block() == true;
        bool answered;
        try
        {
            answered = asking.Task.Wait(s_relocateTimeout);
        }
        finally
        {
            if (blocked)
            {
                waiting!.Unblock();
            }
        }
        if (!answered || asking.Task.Result is not { Error: null } found || found.Holder == lostHolder)
        {
            throw new ValueLost(lostHolder, error);
        }
        if (found.Holder is not { } holder)
        {
            return Fetched.Of(found.Bytes!);
        }
        try
        {
            var fetched = base.Fetch(new RemoteValue(holder, id, null), id);
            return new Fetched(fetched.Bytes, new LeaseRelease(fetched, () => Leases.Release(holder, id)));
        }
        catch (RayException)
        {
            Leases.Release(holder, id);
            throw new ValueLost(lostHolder, error);
        }
    }

    public override ActorCore CreateActor(ActorCreation creation, Type actorClass)
    {
        if (t_hosting)
        {
            var actor = new LocalActor(Runtime, creation, actorClass);
            _hosted[actor.Id] = actor;
            return actor;
        }
        var forwarded = new ForwardedActor(Runtime, creation.Type, actorClass, creation.Options, this);
        Send(MessageKind.SubmitActor, 5, (ref MessagePackWriter w) =>
        {
            IdCodec.Write(ref w, forwarded.Id);
            w.Write(creation.Type.Id);
            w.Write(creation.ConstructorId);
            creation.WriteArgumentsForWire(ref w);
            ActorOptionsCodec.Write(ref w, creation.Options); // its name, restarts and resources, as the call gave them
        });
        return forwarded;
    }

    public override void ActorDied(LocalActor actor, ActorDiedException cause)
    {
        if (_hosted.ContainsKey(actor.Id))
        {
            Send(MessageKind.ActorDied, 2, (ref MessagePackWriter w) =>
            {
                IdCodec.Write(ref w, actor.Id);
                ErrorCodec.Write(ref w, cause);
            });
        }
    }

    public override void Release(TaskInvocation task)
    {
        // A task of this worker's own on its own lease: the lease goes on with its next task, as the driver's does
        // when told. The driver is not told: it never knew the task, and counts the lease busy all the same.
        if (task.RemoteId != 0)
        {
            Send(MessageKind.Blocked, 1, (ref MessagePackWriter w) => w.Write(task.RemoteId));
        }
        task.LeaseQueue?.Blocked(task);
    }

    public override void Reacquire(TaskInvocation task)
    {
        if (task.RemoteId != 0)
        {
            Send(MessageKind.Unblocked, 1, (ref MessagePackWriter w) => w.Write(task.RemoteId));
        }
    }

    public override void Cancel(TaskInvocation task, bool force)
    {
        // A task the driver sent here stops through its token (a forced cancel ends this process from the driver);
        // one this worker's code submitted runs wherever the driver put it: the driver cancels it there.
        // One on a lease of this worker's own runs here: its token, and the check before it starts, stop it (a forced
        // cancel cannot end this process, which owns the task's caller too: its result is discarded, as in-process).
        // One still waiting in that lease's backlog sends the cancel all the same, which the driver, not knowing it, drops.
        if (task.RemoteId == 0 && task.LeaseQueue is null)
        {
            Send(MessageKind.CancelSubmitted, 2, (ref MessagePackWriter w) =>
            {
                IdCodec.Write(ref w, task.ResultRef.Id);
                w.Write(force);
            });
        }
    }

    public override void Exporting(ObjectRef pending)
    {
        var driverLacks = Peers.DriverLacks(pending);
        PendingExports.Add(pending, driverLacks);
        if (driverLacks)
        {
            Objects.Add(pending, pin: false); // findable, before the message leaves, should the driver ask about it
        }
    }

    public override void Subscribe(ObjectRef proxy)
    {
        // A pending ref is told by the process it came from: another worker pushes it; the driver is asked.
        if (PeerLink.Reading is { } link)
        {
            Peers.OweDriver(proxy.Id);
            link.AwaitPush(proxy);
            return;
        }
        Send(MessageKind.Subscribe, 1, (ref MessagePackWriter w) => IdCodec.Write(ref w, proxy.Id));
    }

    /// <summary>Tells the driver the outcome of a pending ref it was sent and does not know (see <see cref="PendingExports"/>).</summary>
    public void SendReadyToDriver(ObjectRef value)
    {
        Peers.DriverKnows(value.Id);
        Send(MessageKind.ObjectReady, 2, Outcome.Ready, (value, (ClusterNode)this));
    }

    /// <summary>Tells the driver that a ref it asked about cannot be answered.</summary>
    public void SendFailureToDriver(ObjectId id, RayException error) => Driver.Send(Outcome.FailureMessage(id, error));

    // The driver says where an actor this worker called lives. One hosted here is called through the driver still:
    // its handle here was made before it came (handles read after it find it here directly).
    private void Locate(ActorId id, string address)
    {
        if (address == Server.Address)
        {
            return;
        }
        Peers.Located(id, address);
        if (Runtime.Actors.TryGet(id, out var actor) && actor is ForwardedActor forwarded && Peers.To(address) is { } link)
        {
            forwarded.LocatedAt(link);
        }
    }

    /// <summary>A call another worker sent straight to an actor hosted here: it is answered over the same link.</summary>
    public void CallFrom(PeerLink link, ref MessagePackReader reader)
    {
        var resultId = IdCodec.ReadObjectId(ref reader);
        var actorId = IdCodec.ReadActorId(ref reader);
        var methodId = WireIds.Decode(WireIds.Utf8(ref reader), stackalloc char[WireIds.StackChars]);
        ActorCall call;
        try
        {
            call = ReadHostedCall(ref reader, actorId, resultId, methodId);
        }
        catch (RayException error)
        {
            link.Refuse(resultId, error);
            return;
        }
        call.ResultRef.WhenReady(link); // answered over the link once ready
        call.SubmitUntyped();
    }

    public override ActorCore FindActor(ActorId id, string typeId, Type actorClass)
    {
        if (_hosted.TryGetValue(id, out var hosted))
        {
            return hosted;
        }
        if (Runtime.Actors.TryGet(id, out var known))
        {
            return known;
        }
        using var ids = InvocationContext.WithActorId(id);
        var forwarded = new ForwardedActor(Runtime, new RemoteActorType(typeId, actorClass.Name, hasAsyncMethods: false), actorClass, null, this);
        Runtime.Actors.Register(forwarded);
        return forwarded;
    }

    public override ActorCore? LookUpActor(string name, string @namespace)
    {
        var requestId = Interlocked.Increment(ref _nextRequest);
        var answer = new TaskCompletionSource<ActorCore?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _lookups[requestId] = answer;
        Send(MessageKind.GetActor, 3, (ref MessagePackWriter w) =>
        {
            w.Write(requestId);
            w.Write(name);
            w.Write(@namespace);
        });
        PeerConnection.ReaderBlocking(); // the answer comes through the driver's connection
        if (!((IAsyncResult)answer.Task).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(30)))
        {
            throw new RayException($"The driver did not answer a lookup of actor '{name}' within 30 s.");
        }
        return answer.Task.GetAwaiter().GetResult();
    }

    /// <summary>Sends a message whose fields are written from <paramref name="state"/> (no closure: the hot paths' results).</summary>
    public void Send<TState>(MessageKind kind, int fields, Messages.Writer<TState> write, in TState state) =>
        Send<TState, object?>(kind, fields, write, state, null, null);

    /// <summary>As above; when the message cannot be built, <paramref name="onFailure"/> hears why, with the state.</summary>
    public void Send<TState>(MessageKind kind, int fields, Messages.Writer<TState> write, in TState state, Action<Exception, TState> onFailure) =>
        Send(kind, fields, write, state, onFailure, state);

    /// <summary>Sends a message built in this worker's wire context.</summary>
    public void Send(MessageKind kind, int fields, Messages.Writer write, Action<Exception>? onFailure = null) =>
        Send(kind, fields, Messages.Plain, write, onFailure is null ? null : Messages.Fail, onFailure);

    // Every message to the driver: pending refs in it that the driver cannot know are pushed to it once it is sent.
    private void Send<TState, TFailure>(MessageKind kind, int fields, Messages.Writer<TState> write, in TState state, Action<Exception, TFailure>? onFailure, TFailure failure)
    {
        PendingExports.Begin();
        using var message = Messages.ForSending(WireContext, kind, fields, write, state, onFailure, failure, "the driver");
        if (message.Failed)
        {
            return;
        }
        Driver.Send(message.Bytes);
        Exports.PushToDriver();
    }

    public void OnMessage(PeerConnection peer, MessageKind kind, ref MessagePackReader reader)
    {
        switch (kind)
        {
            case MessageKind.Welcome:
                reader.Skip();
                reader.Skip();
                // The tasks this worker's code runs on its own leases never cross a process: under the driver's
                // StrictSerialization they round-trip all the same, so a type that could not cross fails here too.
                Runtime.Options.StrictSerialization = reader.ReadBoolean();
                break;
            case MessageKind.ExecuteTask:
                Execute(ref reader);
                break;
            case MessageKind.CreateActor:
                Host(ref reader);
                break;
            case MessageKind.CallActor:
                Call(ref reader);
                break;
            case MessageKind.KillActor:
            {
                var id = IdCodec.ReadActorId(ref reader);
                var reason = reader.ReadString() ?? "";
                if (_hosted.TryRemove(id, out var actor))
                {
                    actor.Die(new ActorDiedException($"The actor {actor.DisplayName} is dead: {reason}."));
                }
                break;
            }
            case MessageKind.ObjectReady:
            {
                var id = IdCodec.ReadObjectId(ref reader);
                var outcome = Outcome.Read(ref reader);
                if (_relocations.TryRemove(id, out var relocation))
                {
                    // The message's bytes are not ours past this call: a value that came inline is copied.
                    relocation.TrySetResult(new Relocation(outcome.Holder, outcome.Holder is null && outcome.Error is null ? System.Buffers.BuffersExtensions.ToArray(outcome.Value) : null, outcome.Error));
                    Objects.Unpin(id);
                    break;
                }
                Ready(id, outcome);
                break;
            }
            case MessageKind.Cancel:
            {
                var taskId = reader.ReadInt64();
                var force = reader.ReadBoolean();
                if (_running.TryGetValue(taskId, out var task))
                {
                    task.Cancel(force);
                }
                break;
            }
            case MessageKind.ActorInfo:
                Answer(ref reader);
                break;
            case MessageKind.Subscribe:
                Exports.PushToDriver(IdCodec.ReadObjectId(ref reader));
                break;
            case MessageKind.ActorAt:
            {
                var id = IdCodec.ReadActorId(ref reader);
                Locate(id, reader.ReadString() ?? "");
                break;
            }
            case MessageKind.GrantLease:
                Granted(ref reader);
                break;
            case MessageKind.LeaseRefused:
                LeaseRefused(ref reader);
                break;
            case MessageKind.CancelCall:
                if (_calls.TryGetValue(reader.ReadInt64(), out var queued))
                {
                    queued.Cancel();
                }
                break;
            case MessageKind.Shutdown:
                _done.Set();
                break;
            default:
                throw new MessagePackSerializationException($"Unexpected message {kind} from the driver.");
        }
    }

    private void Execute(ref MessagePackReader reader)
    {
        var taskId = reader.ReadInt64();
        var leaseId = reader.ReadInt64();
        var resultId = IdCodec.ReadObjectId(ref reader);
        var methodId = WireIds.Decode(WireIds.Utf8(ref reader), stackalloc char[WireIds.StackChars]);
        TaskInvocation task;
        try
        {
            using var ids = InvocationContext.WithResultId(resultId);
            using var wire = Serialization.WireContext.Enter(WireContext);
            if (!RemoteRegistry.TryGetTask(methodId, out var read))
            {
                reader.Skip();
                throw new RayException(
                    $"This worker (pid {Environment.ProcessId}) has no remote '{methodId}': it runs different code than the driver. Start workers from the same build.");
            }
            task = read(ref reader);
        }
        catch (RayException error)
        {
            Refuse(taskId, error);
            return;
        }
        task.RemoteId = taskId;
        _running[taskId] = task;
        var done = new TaskDoneSender(this, task, taskId);
        if (!task.ResultRef.TryAddListener(done))
        {
            done.OnObjectReady(task.ResultRef);
            return;
        }
        while (true)
        {
            var queue = _leases.GetOrAdd(leaseId, _newLease);
            if (queue.TryEnqueue(task))
            {
                return;
            }
            _leases.TryRemove(new KeyValuePair<long, LeaseQueue>(leaseId, queue)); // retired just now
        }
    }

    // The answers to work that cannot run here, in methods of their own: a lambda capturing the id where the work is
    // read would be allocated for every task and call, taken branch or not (the compiler makes a captured local's
    // closure where the local is declared).
    private void Refuse(long taskId, RayException error) =>
        Send(MessageKind.TaskDone, 3, (ref MessagePackWriter w) =>
        {
            w.Write(taskId);
            w.Write(0.0);
            Outcome.WriteFailure(ref w, error);
        });

    private void Refuse(long callId, ActorId actorId, RayException error) =>
        Send(MessageKind.CallDone, 3, (ref MessagePackWriter w) =>
        {
            w.Write(callId);
            IdCodec.Write(ref w, actorId);
            Outcome.WriteFailure(ref w, error);
        });

    // Runs on the lease's runner thread: the entry goes only if the queue is still idle, under the queue's lock,
    // so a task arriving meanwhile either lands in it before or finds it retired and starts a new one.
    private void LeaseIdle(LeaseQueue queue)
    {
        if (queue.Own is not null)
        {
            _own.Idle(queue); // it lingers, then goes back through GiveBack
            return;
        }
        if (queue.TryRetire())
        {
            _leases.TryRemove(new KeyValuePair<long, LeaseQueue>(queue.Id, queue));
        }
    }

    // A lease of this worker's own for a method's tasks (OwnLeases): asked for, and given back once idle.
    private void AskLease(RemoteMethod method) =>
        Send(MessageKind.AskLease, 1, (ref MessagePackWriter w) => w.WriteRaw(method.WireId));

    private void GiveBack(LeaseQueue queue)
    {
        var id = queue.Id;
        Send(MessageKind.ReturnLease, 1, (ref MessagePackWriter w) => w.Write(id));
    }

    private void Granted(ref MessagePackReader reader)
    {
        var leaseId = reader.ReadInt64();
        var methodId = WireIds.Decode(WireIds.Utf8(ref reader), stackalloc char[WireIds.StackChars]);
        var queue = new LeaseQueue(leaseId, Runtime.Workers, LeaseIdle);
        if (!RemoteRegistry.TryGetTaskMethod(methodId, out var method))
        {
            GiveBack(queue); // not asked for by this code: nothing to run on it
            return;
        }
        _own.Granted(method, queue);
    }

    private void LeaseRefused(ref MessagePackReader reader)
    {
        var methodId = WireIds.Decode(WireIds.Utf8(ref reader), stackalloc char[WireIds.StackChars]);
        reader.Skip(); // why: the tasks go to the driver, which runs them or says why it cannot
        if (!RemoteRegistry.TryGetTaskMethod(methodId, out var method))
        {
            return; // not asked for by this code: nothing waits for it
        }
        foreach (var task in _own.Refused(method))
        {
            SubmitToDriver(task);
        }
    }

    private void Host(ref MessagePackReader reader)
    {
        var actorId = IdCodec.ReadActorId(ref reader);
        var typeId = reader.ReadString() ?? "";
        var constructorId = reader.ReadString() ?? "";
        reader.ReadArrayHeader();
        var maxConcurrency = reader.ReadInt32();
        if (!RemoteRegistry.TryGetConstructor(RemoteRegistry.ConstructorKey(typeId, constructorId), out var read))
        {
            reader.Skip();
            return; // its calls fail: no such actor here
        }
        t_hosting = true;
        try
        {
            using var ids = InvocationContext.WithActorId(actorId);
            using var wire = Serialization.WireContext.Enter(WireContext);
            var creation = read(ref reader);
            creation.Override(new ActorOptions { MaxConcurrency = maxConcurrency });
            creation.SubmitUntyped();
        }
        finally
        {
            t_hosting = false;
        }
    }

    private void Call(ref MessagePackReader reader)
    {
        var callId = reader.ReadInt64();
        var actorId = IdCodec.ReadActorId(ref reader);
        var resultId = IdCodec.ReadObjectId(ref reader);
        var methodId = WireIds.Decode(WireIds.Utf8(ref reader), stackalloc char[WireIds.StackChars]);
        ActorCall call;
        try
        {
            call = ReadHostedCall(ref reader, actorId, resultId, methodId);
        }
        catch (RayException error)
        {
            Refuse(callId, actorId, error);
            return;
        }
        _calls[callId] = call;
        call.ResultRef.WhenReady(new CallDoneSender(this, callId, actorId));
        call.SubmitUntyped();
    }

    // A call to an actor hosted here, from the driver or straight from another worker; a RayException if it cannot run here.
    private ActorCall ReadHostedCall(ref MessagePackReader reader, ActorId actorId, ObjectId resultId, scoped ReadOnlySpan<char> methodId)
    {
        if (!_hosted.TryGetValue(actorId, out var hosted))
        {
            reader.Skip();
            throw new ActorDiedException($"Actor {actorId} is not hosted by the worker at {Server.Address} (it died, was restarted elsewhere, or was never created).");
        }
        using var ids = InvocationContext.WithResultId(resultId);
        using var wire = Serialization.WireContext.Enter(WireContext);
        return RemoteRegistry.TryGetActorMethod(methodId, out var read)
            ? read(ref reader, hosted)
            : throw new RayException($"The worker at {Server.Address} has no actor method '{methodId.ToString()}': it runs different code than the driver.");
    }

    private void Answer(ref MessagePackReader reader)
    {
        var requestId = reader.ReadInt64();
        ActorCore? actor = null;
        string? failure = null;
        if (reader.TryReadNil())
        {
            reader.Skip();
            failure = reader.ReadString(); // why the driver could not look it up (nil: no actor has the name)
        }
        else
        {
            var id = IdCodec.ReadActorId(ref reader);
            var typeId = reader.ReadString() ?? "";
            var className = reader.ReadString() ?? "";
            actor = Runtime.Actors.TryGet(id, out var known) ? known : new NamedActorStub(id, typeId, className).Resolve(this);
        }
        if (_lookups.TryRemove(requestId, out var answer))
        {
            if (failure is not null)
            {
                answer.TrySetException(new RayException(failure));
            }
            else
            {
                answer.TrySetResult(actor);
            }
        }
    }

    public void OnClosed(PeerConnection peer, Exception? error) => _done.Set();

    /// <summary>Reports a task's outcome and run time to the driver once it is done, and lets its lease go on.</summary>
    private sealed class TaskDoneSender(WorkerNode worker, TaskInvocation task, long taskId) : IObjectListener
    {
        private static readonly Messages.Writer<(long TaskId, double Micros, ObjectRef Result, WorkerNode Worker)> s_write =
            static (ref MessagePackWriter w, in (long TaskId, double Micros, ObjectRef Result, WorkerNode Worker) done) =>
            {
                w.Write(done.TaskId);
                w.Write(done.Micros);
                Outcome.Write(ref w, done.Result, done.Worker);
            };

        public void OnObjectReady(ObjectRef completed)
        {
            worker._running.TryRemove(taskId, out _);
            var micros = task.StartedAt == 0 ? 0 : System.Diagnostics.Stopwatch.GetElapsedTime(task.StartedAt).TotalMicroseconds;
            worker.Send(MessageKind.TaskDone, 3, s_write, (taskId, micros, completed, worker));
            task.LeaseQueue?.Finished(task);
        }
    }

    /// <summary>Where the driver says a value is now: another holder, its bytes, or why it is gone.</summary>
    private sealed record Relocation(string? Holder, byte[]? Bytes, Exception? Error);

    /// <summary>The fetched bytes stay readable until disposed; then the lease taken for this fetch goes back.</summary>
    private sealed class LeaseRelease(Fetched fetched, Action release) : IDisposable
    {
        public void Dispose()
        {
            fetched.Dispose();
            release();
        }
    }

    /// <summary>A value this worker could not fetch from <see cref="Holder"/>, which may have died with it.</summary>
    internal sealed class ValueLost(string holder, RayException cause) : RayException(cause.Message, cause)
    {
        public string Holder => holder;

        /// <summary>The loss that made <paramref name="error"/>, however deep the code that met it wrapped it; null if none did.</summary>
        public static ValueLost? In(Exception error)
        {
            for (Exception? current = error; current is not null; current = current.InnerException)
            {
                if (current is ValueLost lost)
                {
                    return lost;
                }
            }
            return null;
        }
    }

    /// <summary>Sends an actor call's outcome to the driver once it is ready.</summary>
    private sealed class CallDoneSender(WorkerNode worker, long callId, ActorId actorId) : IObjectListener
    {
        private static readonly Messages.Writer<(long CallId, ActorId ActorId, ObjectRef Result, WorkerNode Worker)> s_write =
            static (ref MessagePackWriter w, in (long CallId, ActorId ActorId, ObjectRef Result, WorkerNode Worker) done) =>
            {
                w.Write(done.CallId);
                IdCodec.Write(ref w, done.ActorId);
                Outcome.Write(ref w, done.Result, done.Worker);
            };

        public void OnObjectReady(ObjectRef completed)
        {
            worker._calls.TryRemove(callId, out _); // done: nothing left to cancel
            worker.Send(MessageKind.CallDone, 3, s_write, (callId, actorId, completed, worker));
        }
    }

    /// <summary>A named actor the driver told us about, whose class we know only by name until a typed lookup.</summary>
    private sealed class NamedActorStub(ActorId id, string typeId, string className)
    {
        public ActorCore Resolve(WorkerNode worker)
        {
            using var ids = InvocationContext.WithActorId(id);
            var type = new RemoteActorType(typeId, className.Split('.').Last(), hasAsyncMethods: false);
            var actor = new ForwardedActor(worker.Runtime, type, ClassOf(className), null, worker);
            worker.Runtime.Actors.Register(actor);
            return actor;
        }

        // The handle's class must be the actor's own for GetActor<T>'s type check.
        private static Type ClassOf(string className) => RemoteRegistry.FindClass(className) ?? typeof(object);
    }
}
