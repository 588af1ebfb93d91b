using System.Collections.Concurrent;
using GenRay.Internal;
using MessagePack;

namespace GenRay.Cluster;

/// <summary>
/// A connection between two jobs' drivers on a cluster: the caller's driver opens it to the driver that owns a
/// named actor (found through the head) and sends that actor's calls over it; the owner runs them as it runs its
/// own workers' calls and answers with ObjectReady. Either side may ask the other about a pending object (an
/// argument still being computed) and is told when it is ready. When the connection goes (the owner's job ended,
/// its driver died), the calls waiting on it fail with <see cref="ActorDiedException"/> and its actors are dead to
/// this job, as Ray's actors die with the job that owns them.
/// </summary>
internal sealed class DriverLink : IPeerHandler, IDriverClient
{
    /// <summary>The link whose message this thread is reading: a pending ref met in it is asked of that driver.</summary>
    [ThreadStatic]
    internal static DriverLink? Reading;

    private readonly DriverNode _driver;
    private readonly PeerConnection _connection;

    // Objects this side waits to hear about from the other (true: an actor call's result; false: a subscription).
    private readonly ConcurrentDictionary<ObjectId, bool> _awaited = new();

    // The other job's actors reached through this link: held here, as the link's life is theirs.
    private readonly ConcurrentDictionary<ActorId, ForeignActor> _actors = new();
    private volatile string? _lost;

    public DriverLink(DriverNode driver, PeerConnection connection, string name)
    {
        _driver = driver;
        _connection = connection;
        Name = name;
    }

    public string Name { get; private set; }

    public bool IsLost => _lost is not null;

    /// <summary>Why the link is gone, once it is.</summary>
    public string? LostBecause => _lost;

    /// <summary>The caller's first message: who it is, so the owner's messages name it.</summary>
    public void Introduce(string jobId) =>
        Send(MessageKind.Hello, 3, (ref MessagePackWriter w) =>
        {
            w.Write(Environment.ProcessId);
            w.Write(jobId);
            w.Write(WorkerLauncher.ProtocolVersion);
        });

    public void Adopt(ForeignActor actor) => _actors[actor.Id] = actor;

    /// <summary>Sends a call to the owner's actor; its result arrives as an ObjectReady.</summary>
    public void Call(ForeignActor actor, ActorCall call)
    {
        _driver.Objects.Add(call.ResultRef, pin: true);
        _awaited[call.ResultRef.Id] = true;
        call.MarkSent();
        Send(MessageKind.SubmitCall, 4, call.WriteSubmission, onFailure: error =>
        {
            _awaited.TryRemove(call.ResultRef.Id, out _);
            _driver.Objects.Unpin(call.ResultRef.Id);
            call.Fail(error);
        });
    }

    public void Kill(ForeignActor actor, bool noRestart) =>
        Send(MessageKind.KillRequest, 2, (ref MessagePackWriter w) =>
        {
            IdCodec.Write(ref w, actor.Id);
            w.Write(noRestart);
        });

    /// <summary>A pending ref from the other driver (in a call it sent): it tells us when the value is ready.</summary>
    public void Subscribe(ObjectRef proxy)
    {
        _awaited[proxy.Id] = false;
        Send(MessageKind.Subscribe, 1, (ref MessagePackWriter w) => IdCodec.Write(ref w, proxy.Id));
    }

    public void ObjectReady(ObjectRef value) => _driver.SendReady(this, value);

    public void Send(ReadOnlySpan<byte> message) => _connection.Send(message);

    private void Send(MessageKind kind, int fields, Messages.Writer write, Action<Exception>? onFailure = null)
    {
        if (_lost is { } why)
        {
            onFailure?.Invoke(Gone(why));
            return;
        }
        using var message = Messages.ForSending(_driver.WireContext, kind, fields, write, onFailure, Name);
        if (!message.Failed)
        {
            _connection.Send(message.Bytes);
        }
    }

    public void OnMessage(PeerConnection peer, MessageKind kind, ref MessagePackReader reader)
    {
        switch (kind)
        {
            case MessageKind.Hello:
            {
                var pid = reader.ReadInt32();
                var job = reader.ReadString();
                var protocol = reader.ReadString();
                if (protocol != WorkerLauncher.ProtocolVersion)
                {
                    throw new MessagePackSerializationException(
                        $"The driver of {job} (pid {pid}) speaks GenRay protocol {protocol}, this driver {WorkerLauncher.ProtocolVersion}: run both jobs from one GenRay version.");
                }
                Name = $"the driver of {job} (pid {pid})";
                break;
            }
            case MessageKind.SubmitCall:
                Reading = this;
                try
                {
                    _driver.CallActorFrom(this, ref reader);
                }
                finally
                {
                    Reading = null;
                }
                break;
            case MessageKind.Subscribe:
                _driver.SubscribeFrom(this, IdCodec.ReadObjectId(ref reader));
                break;
            case MessageKind.ObjectReady:
            {
                var id = IdCodec.ReadObjectId(ref reader);
                var outcome = Outcome.Read(ref reader);
                _awaited.TryRemove(id, out _);
                _driver.Ready(id, outcome);
                break;
            }
            case MessageKind.KillRequest:
            {
                var actorId = IdCodec.ReadActorId(ref reader);
                var noRestart = reader.ReadBoolean();
                if (_driver.Runtime.Actors.TryGet(actorId, out var actor))
                {
                    actor.Kill(noRestart, $"{(noRestart ? "killed" : "restarted")} by Ray.Kill from {Name}");
                }
                break;
            }
            default:
                throw new MessagePackSerializationException($"Unexpected message {kind} from {Name}.");
        }
    }

    public void OnClosed(PeerConnection peer, Exception? error)
    {
        var why = error is null ? "closed its connection (its job ended)" : $"is gone ({error.Message})";
        if (Interlocked.CompareExchange(ref _lost, why, null) is not null)
        {
            return;
        }
        foreach (var (id, isCall) in _awaited)
        {
            if (_awaited.TryRemove(id, out _) && _driver.Objects.TryGet(id, out var value))
            {
                value.TrySetException(isCall
                    ? new ActorDiedException($"The actor this call went to is dead: its owner, {Name}, {why}.")
                    : Gone(why));
                _driver.Objects.Unpin(id);
            }
        }
        foreach (var actor in _actors.Values)
        {
            _driver.Runtime.Actors.Unregister(actor);
        }
    }

    /// <summary>Ends the link (this driver stops).</summary>
    public void Close() => _connection.Close();

    private RayException Gone(string why) => new($"{Name} {why}: what it was to send cannot arrive.");
}
