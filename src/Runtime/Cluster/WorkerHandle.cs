using System.Collections.Concurrent;
using GenRay.Internal;
using MessagePack;

namespace GenRay.Cluster;

/// <summary>
/// The driver's side of one worker process: its control stream, the tasks and actors it runs, and the messages
/// it sends back (results, work its code submits, blocking notices, lookups).
/// </summary>
internal sealed class WorkerHandle : IPeerHandler, IDriverClient
{
    private readonly DriverNode _driver;
    private readonly InFlight<long, TaskInvocation> _tasks = new();
    private readonly ConcurrentDictionary<ActorId, RemoteActor> _actors = new();

    // Leases given to the worker for its own code's tasks, by id, until it gives them back or dies.
    private readonly ConcurrentDictionary<long, TaskLease> _own = new();

    // Tasks this worker's code submitted and the driver runs, until done: they share the worker's fate (Ray's
    // owner fate-sharing), so a dead worker's retried parent does not leave its first children running for nothing.
    private readonly InFlight<ObjectId, TaskInvocation> _submitted = new();
    private readonly TaskCompletionSource _died = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PeerConnection? _connection;
    private volatile string? _lost;

    [ThreadStatic]
    private static WorkerHandle? t_reading;

    // Pending refs this worker sent that the driver did not know (results of actor calls that did not go through
    // the driver, refs another worker sent it): the worker pushes their outcome when ready; if it dies first, they fail.
    private readonly ConcurrentDictionary<ObjectId, byte> _pushes = new();

    public WorkerHandle(DriverNode driver, int index, WorkerProcess process, string address, Nodes.NodeSlot? node = null)
    {
        _driver = driver;
        Index = index;
        Process = process;
        Address = address;
        Node = node;
        Name = node is null ? $"worker {index} (pid {process.Id})" : $"worker {index} (pid {process.Id} on node {node.Id})";
    }

    public int Index { get; }

    public WorkerProcess Process { get; }

    /// <summary>The cluster node it runs on; null for a worker of this machine's driver.</summary>
    public Nodes.NodeSlot? Node { get; }

    public int Pid => Process.Id;

    public string Address { get; }

    public string Name { get; }

    public int Running => _tasks.Count;

    /// <summary>The tasks running here now (for the job's report).</summary>
    public IEnumerable<TaskInvocation> RunningTasks => _tasks.Items();

    public int Actors => _actors.Count;

    public bool IsLost => _lost is not null;

    /// <summary>Completes once the worker is lost and the driver knows the values it held are gone.</summary>
    public Task WhenLost => _died.Task;

    public PeerConnection Connection => _connection!;

    /// <summary>The worker whose message this thread is reading: a pending ref met in it that the driver does not know is that worker's to tell.</summary>
    public static WorkerHandle? Reading => t_reading;

    /// <summary>
    /// A pending ref from this worker that the driver does not know: the worker pushes its outcome (ObjectReady) if it
    /// knows the driver lacks it. It is also asked (Subscribe), for a ref the driver did know but no longer holds: one
    /// it completed and dropped while the worker's message with the still-pending ref was on its way.
    /// </summary>
    public void AwaitPush(ObjectRef proxy)
    {
        _pushes[proxy.Id] = 0;
        if (_lost is { } why && _pushes.TryRemove(proxy.Id, out _))
        {
            FailPush(proxy.Id, why);
            return;
        }
        var id = proxy.Id;
        Send(MessageKind.Subscribe, 1, (ref MessagePackWriter w) => IdCodec.Write(ref w, id));
    }

    private void FailPush(ObjectId id, string why)
    {
        if (_driver.Objects.TryGet(id, out var value))
        {
            value.TrySetException(new RayException($"{value} was pending in {Name}, which owned it and {why}: the value is lost with its owner."));
            _driver.Objects.Unpin(id);
        }
    }

    public void Attach(PeerConnection connection) => _connection = connection;

    /// <summary>For tests: the method id the next task dispatched on this thread claims (a worker that lacks it must say so).</summary>
    [ThreadStatic]
    internal static string? t_methodIdOverride;

    /// <summary>Sends a task to run on <paramref name="lease"/>, after the lease's tasks sent before it.</summary>
    public void Execute(TaskInvocation task, TaskLease lease)
    {
        var taskId = _driver.NextTaskId();
        task.RunOn(lease);
        task.RemoteId = taskId;
        task.RemoteHost = this;
        _tasks[taskId] = task;
        Send(MessageKind.ExecuteTask, 5, s_execute, (taskId, lease.Id, task), s_notSent, (this, taskId));
    }

    /// <summary>Gives the worker <paramref name="lease"/> for its own code's tasks of <paramref name="method"/> (<see cref="OwnLeases"/>), until it gives it back or dies.</summary>
    public void Grant(TaskLease lease, RemoteMethod method)
    {
        _own[lease.Id] = lease;
        if (IsLost)
        {
            GiveBack(lease.Id); // lost meanwhile: Lost may have gone past the table already
            return;
        }
        var id = lease.Id;
        Send(MessageKind.GrantLease, 2, (ref MessagePackWriter w) =>
        {
            w.Write(id);
            w.WriteRaw(method.WireId);
        });
    }

    /// <summary>The worker's ask for a lease of its own cannot be granted: its tasks of the method go through the driver.</summary>
    public void RefuseLease(string methodId, string why) =>
        Send(MessageKind.LeaseRefused, 2, (ref MessagePackWriter w) =>
        {
            w.Write(methodId);
            w.Write(why);
        });

    // The worker's hold on a lease it was given ends (it gave the lease back, or died): its resources go back.
    private void GiveBack(long leaseId)
    {
        if (_own.TryRemove(leaseId, out var lease))
        {
            _driver.Leave(lease);
        }
    }

    // Static, with their state passed in: a task or a call sent allocates no closure. The message is encoded on the
    // sending thread, so the test override is read where the id is written.
    private static readonly Messages.Writer<(long TaskId, long LeaseId, TaskInvocation Task)> s_execute =
        static (ref MessagePackWriter w, in (long TaskId, long LeaseId, TaskInvocation Task) sent) =>
        {
            w.Write(sent.TaskId);
            w.Write(sent.LeaseId);
            IdCodec.Write(ref w, sent.Task.ResultRef.Id);
            if (t_methodIdOverride is { } overridden)
            {
                w.Write(overridden);
            }
            else
            {
                w.WriteRaw(sent.Task.Method.WireId);
            }
            sent.Task.WriteArgumentsTo(ref w);
        };

    private static readonly Action<Exception, (WorkerHandle Worker, long TaskId)> s_notSent = static (error, sent) => sent.Worker.NotSent(sent.TaskId, error);

    private static readonly Messages.Writer<(long CallId, RemoteActor Actor, ActorCall Call)> s_call =
        static (ref MessagePackWriter w, in (long CallId, RemoteActor Actor, ActorCall Call) sent) =>
        {
            w.Write(sent.CallId);
            IdCodec.Write(ref w, sent.Actor.Id);
            IdCodec.Write(ref w, sent.Call.ResultRef.Id);
            w.WriteRaw(sent.Call.Method.WireId);
            sent.Call.WriteArgumentsForWire(ref w);
        };

    // A call sent as the worker died stays in flight: the actor's restart retries or fails it (MaxTaskRetries).
    private static readonly Action<Exception, (WorkerHandle Worker, ActorCall Call)> s_callNotSent = static (error, sent) =>
    {
        if (!sent.Worker.IsLost)
        {
            sent.Call.Fail(error);
        }
    };

    // The task could not be sent. Its worker died (a system failure, retried), or a value among its arguments could not
    // be leased from its holder, which may have died: then the driver rebuilds the value and sends the task again.
    private void NotSent(long taskId, Exception error)
    {
        if (IsLost)
        {
            Fail(taskId, error, workerDied: true);
        }
        else if (_tasks.TryRemove(taskId, out var task))
        {
            _driver.LeaveLease(task);
            _driver.Lineage.Recover(task, suspect: null, stands: () => task.CompleteRemotely(result => result.TrySetException(error)));
        }
    }

    // A value the task needed could not be fetched: if its holder died, the value is rebuilt and the task runs again.
    // A method of its own: a lambda capturing the task in OnMessage would be allocated for every answer read there.
    private void Recover(TaskInvocation task, string holder, Outcome.Parsed outcome) =>
        _driver.Lineage.Recover(task, holder, stands: () => Complete(task, outcome));

    private void Complete(TaskInvocation task, Outcome.Parsed outcome)
    {
        _driver.Finished(failed: outcome.Error is not null);
        task.CompleteRemotely(s_complete, (this, task, outcome), outcome.Error);
    }

    private static readonly Action<ObjectRef, (WorkerHandle Worker, TaskInvocation Task, Outcome.Parsed Outcome)> s_complete =
        static (result, done) =>
        {
            done.Outcome.Apply(result, done.Worker._driver);
            if (result.Remote is { } held && (done.Task.Options?.MaxRetries ?? 3) != 0)
            {
                held.Lineage = done.Task; // held by this worker: rebuilt from here if it dies
            }
        };

    /// <summary>The worker's code submitted <paramref name="task"/>: it is cancelled if the worker dies before it is done.</summary>
    public void Submitted(TaskInvocation task)
    {
        _submitted[task.ResultRef.Id] = task;
        if (!task.ResultRef.TryAddListener(new SubmittedDone(this, task.ResultRef.Id)))
        {
            _submitted.TryRemove(task.ResultRef.Id, out _);
        }
        if (IsLost)
        {
            OwnerLost(task);
        }
    }

    private void OwnerLost(TaskInvocation task) =>
        task.Cancel(force: false, new RayException(
            $"{task.Name} was cancelled: the worker process that submitted it and owns its result, {Name}, {_lost}. " +
            "Its parent task is retried and submits it again; a ref to it held elsewhere fails (Ray's OwnerDiedError)."));

    private sealed class SubmittedDone(WorkerHandle worker, ObjectId id) : IObjectListener
    {
        public void OnObjectReady(ObjectRef completed) => worker._submitted.TryRemove(id, out _);
    }

    public void CreateActor(RemoteActor actor, ActorCreation creation)
    {
        _actors[actor.Id] = actor;
        Send(MessageKind.CreateActor, 5, (ref MessagePackWriter w) =>
        {
            IdCodec.Write(ref w, actor.Id);
            w.Write(creation.Type.Id);
            w.Write(creation.ConstructorId);
            actor.WriteOptions(ref w);
            creation.WriteArgumentsForWire(ref w);
        }, onFailure: error =>
        {
            if (IsLost)
            {
                // The worker died as the actor was placed on it: a restart, like any death of its host. Not on
                // this thread, which holds the actor's lock in the middle of placing it.
                ThreadPool.QueueUserWorkItem(_ => actor.HostLost(this, _lost!));
                return;
            }
            actor.Die(new ActorDiedException($"The actor {actor.DisplayName} could not be created: {error.Message}", error));
        });
    }

    public void CallActor(RemoteActor actor, long callId, ActorCall call) =>
        Send(MessageKind.CallActor, 5, s_call, (callId, actor, call), s_callNotSent, (this, call));

    public void KillActor(RemoteActor actor, string reason)
    {
        _actors.TryRemove(actor.Id, out _);
        Send(MessageKind.KillActor, 2, (ref MessagePackWriter w) =>
        {
            IdCodec.Write(ref w, actor.Id);
            w.Write(reason);
        });
    }

    /// <summary>
    /// Tells the worker where a value is. One whose holder died is rebuilt first (off this thread): the worker asks
    /// when it could not fetch the value, and waits for it as Ray's borrowers wait for the owner to reconstruct.
    /// </summary>
    public void ObjectReady(ObjectRef value) => _driver.SendReady(this, value);

    public void CancelCall(long callId) =>
        Send(MessageKind.CancelCall, 1, (ref MessagePackWriter w) => w.Write(callId));

    public void Cancel(long taskId, bool force) =>
        Send(MessageKind.Cancel, 2, (ref MessagePackWriter w) =>
        {
            w.Write(taskId);
            w.Write(force);
        });

    public void Shutdown() => Send(MessageKind.Shutdown, 0, static (ref MessagePackWriter _) => { });

    /// <summary>
    /// Sends a message built in the driver's wire context, its fields written from <paramref name="state"/>. A value
    /// that cannot be encoded fails only its own work; so does a lost worker, for work told with <paramref name="onFailure"/>.
    /// </summary>
    private void Send<TState, TFailure>(MessageKind kind, int fields, Messages.Writer<TState> write, in TState state, Action<Exception, TFailure>? onFailure, TFailure failure)
    {
        using var message = Messages.ForSending(_driver.WireContext, kind, fields, write, state, onFailure, failure, Name);
        if (message.Failed)
        {
            return;
        }
        if (_lost is { } why && onFailure is not null)
        {
            onFailure(new RayException($"{Name} {why}."), failure);
            return;
        }
        _connection!.Send(message.Bytes);
    }

    /// <summary>As above, with a closure for the fields and for the failure.</summary>
    private void Send(MessageKind kind, int fields, Messages.Writer write, Action<Exception>? onFailure = null) =>
        Send(kind, fields, Messages.Plain, write, onFailure is null ? null : Messages.Fail, onFailure);

    /// <summary>
    /// The task ends without an answer from the worker. When the worker died that is a system failure, which the
    /// task retries within its MaxRetries; otherwise (its message could not be built) it fails.
    /// </summary>
    private void Fail(long taskId, Exception error, bool workerDied)
    {
        if (_tasks.TryRemove(taskId, out var task))
        {
            _driver.LeaveLease(task);
            task.CompleteRemotely(result => result.TrySetException(workerDied ? RetriesSpent(task, error) : error),
                workerDied ? error : null, systemFailure: workerDied);
        }
    }

    private static RayException RetriesSpent(TaskInvocation task, Exception error)
    {
        var maxRetries = task.Options?.MaxRetries ?? 3;
        return new RayException(
            $"{error.Message} {task.Name} ran {task.Attempts + 1} time(s) and is not retried again (MaxRetries = {maxRetries}).", error);
    }

    public void OnMessage(PeerConnection peer, MessageKind kind, ref MessagePackReader reader)
    {
        t_reading = this;
        try
        {
            Handle(kind, ref reader);
        }
        finally
        {
            t_reading = null;
        }
    }

    private void Handle(MessageKind kind, ref MessagePackReader reader)
    {
        switch (kind)
        {
            case MessageKind.ObjectReady:
            {
                var id = IdCodec.ReadObjectId(ref reader);
                var outcome = Outcome.Read(ref reader);
                _pushes.TryRemove(id, out _);
                _driver.Ready(id, outcome);
                break;
            }
            case MessageKind.TaskDone:
            {
                var taskId = reader.ReadInt64();
                var micros = reader.ReadDouble();
                var outcome = Outcome.Read(ref reader);
                if (_tasks.TryRemove(taskId, out var task))
                {
                    _driver.Ran(task, micros);
                    _driver.LeaveLease(task);
                    if (outcome.LostHolder is { } holder)
                    {
                        Recover(task, holder, outcome);
                    }
                    else
                    {
                        Complete(task, outcome);
                    }
                }
                break;
            }
            case MessageKind.CallDone:
            {
                var callId = reader.ReadInt64();
                var actorId = IdCodec.ReadActorId(ref reader);
                var outcome = Outcome.Read(ref reader);
                // An actor no longer here (killed, restarted elsewhere) already failed its calls.
                if (_actors.TryGetValue(actorId, out var actor))
                {
                    actor.Completed(callId, outcome);
                }
                break;
            }
            case MessageKind.SubmitTask:
                _driver.SubmitFrom(this, ref reader);
                break;
            case MessageKind.SubmitActor:
                _driver.CreateActorFrom(this, ref reader);
                break;
            case MessageKind.SubmitCall:
                _driver.CallActorFrom(this, ref reader);
                break;
            case MessageKind.Subscribe:
                _driver.SubscribeFrom(this, IdCodec.ReadObjectId(ref reader));
                break;
            case MessageKind.Blocked:
            case MessageKind.Unblocked:
            {
                var taskId = reader.ReadInt64();
                if (_tasks.TryGetValue(taskId, out var task))
                {
                    if (kind == MessageKind.Unblocked)
                    {
                        task.Unblock(); // it takes resources of its own now
                    }
                    else if (task.Lease is not null)
                    {
                        // The worker runs the lease's next task meanwhile, on the lease's resources.
                        task.LeftLeaseBlocked();
                        _driver.LeaveLease(task);
                    }
                    else
                    {
                        task.Block();
                    }
                }
                break;
            }
            case MessageKind.GetActor:
                _driver.LookUpActorFor(this, ref reader);
                break;
            case MessageKind.ActorDied:
            {
                var actorId = IdCodec.ReadActorId(ref reader);
                var cause = ErrorCodec.Read(ref reader);
                if (_actors.TryGetValue(actorId, out var died))
                {
                    died.Die(cause as ActorDiedException ?? new ActorDiedException(cause.Message, cause));
                }
                break;
            }
            case MessageKind.CancelSubmitted:
            {
                var resultId = IdCodec.ReadObjectId(ref reader);
                var force = reader.ReadBoolean();
                if (_driver.Objects.TryGet(resultId, out var submitted))
                {
                    submitted.Cancel(force);
                }
                break;
            }
            case MessageKind.AskLease:
                _driver.AskLeaseFrom(this, ref reader);
                break;
            case MessageKind.ReturnLease:
                GiveBack(reader.ReadInt64());
                break;
            case MessageKind.KillRequest:
            {
                var actorId = IdCodec.ReadActorId(ref reader);
                var noRestart = reader.ReadBoolean();
                if (_driver.Runtime.Actors.TryGet(actorId, out var actor))
                {
                    actor.Kill(noRestart, noRestart ? "killed by Ray.Kill" : "restarted by Ray.Kill(noRestart: false)");
                }
                break;
            }
            default:
                throw new MessagePackSerializationException($"Unexpected message {kind} from a worker.");
        }
    }

    public void Send(ReadOnlySpan<byte> message) => _connection!.Send(message);

    public void OnClosed(PeerConnection peer, Exception? error)
    {
        // A connection reset usually means the process is dying: give it a moment, so the error says it died.
        var exited = Process.HasExited || Process.WaitForExit(TimeSpan.FromMilliseconds(500));
        var why = _killedBecause is { } killed ? $"was ended ({killed})"
            : exited ? (Process.ExitCode is { } code ? $"died (exit code {code})" : "died")
            : error is null ? "closed its connection"
            : $"failed: {error.Message}";
        Lost(why);
    }

    private volatile string? _killedBecause;

    /// <summary>Ends the worker process (Ray.Cancel with force): its work is retried elsewhere or fails, as for any death.</summary>
    public void Kill(string reason)
    {
        _killedBecause = reason;
        Process.Kill();
    }

    /// <summary>
    /// The worker is gone: its tasks are retried or fail saying so, its actors restart or die, and the driver
    /// starts a worker in its place.
    /// </summary>
    public void Lost(string why)
    {
        if (Interlocked.CompareExchange(ref _lost, why, null) is not null)
        {
            return;
        }
        _driver.WorkerLost(this, why);
        _died.TrySetResult(); // after the driver marked its values lost: whoever waited for this finds them so
        var error = new RayException($"{Name} {why} while running this task.");
        foreach (var taskId in _tasks.Ids())
        {
            Fail(taskId, error, workerDied: true);
        }
        foreach (var submitted in _submitted.Items())
        {
            OwnerLost(submitted);
        }
        foreach (var leaseId in _own.Keys)
        {
            GiveBack(leaseId); // what ran on it here died with the worker, which owned it
        }
        foreach (var actor in _actors.Values)
        {
            actor.HostLost(this, why);
        }
        _actors.Clear();
        foreach (var id in _pushes.Keys)
        {
            if (_pushes.TryRemove(id, out _))
            {
                FailPush(id, why);
            }
        }
    }
}
