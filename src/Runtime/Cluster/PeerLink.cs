using GenRay.Internal;
using MessagePack;

namespace GenRay.Cluster;

/// <summary>
/// A control stream between two workers of one driver, opened by a worker whose code calls an actor the other
/// hosts. As Ray's callers do, the caller sends the call straight to the actor's process (SubmitCall) once the
/// driver has told it where the actor lives, and is answered there (ObjectReady): two messages per call instead
/// of four through the driver, and no work for the driver. The caller owns the result.
/// A pending ref that crosses the link is answered by the side that sent it, over this link, once ready (a push,
/// ObjectReady): the sender holds it, so nothing can overtake it. When the link goes, the calls it waits for fail
/// with <see cref="ActorDiedException"/> (the actor's process is gone, or unreachable: as a call in flight when
/// an actor's process dies) and the refs it waits for fail too.
/// </summary>
internal sealed class PeerLink : IPeerHandler, IObjectListener
{
    [ThreadStatic]
    private static PeerLink? t_reading;

    private static readonly Messages.Writer<ActorCall> s_writeCall =
        static (ref MessagePackWriter w, in ActorCall call) => call.WriteSubmission(ref w);

    private static readonly Action<Exception, (PeerLink Link, ActorCall Call)> s_callNotSent = static (error, sent) =>
    {
        sent.Link._awaited.TryRemove(sent.Call.ResultRef.Id, out _);
        sent.Call.Fail(error);
    };

    private readonly WorkerNode _worker;
    private readonly PeerConnection _connection;

    // What this side waits to hear about from the other, by object id: a call it sent (the actor it went to, and
    // its result), or, with no actor, a pending ref the other side sent, which it pushes once ready. A call's result
    // is held here only: not pinned in the worker's object table, and not in the set of refs the driver lacks (an
    // unpinned ref owned here is one, PeerLinks.DriverLacks). A call took an entry in each of the three before, and
    // a perf profile of workers:2 n_n_actor_calls_async put the misses of their lookups (bucket, then entry, in
    // tables of thousands) first among a worker's instructions: a quarter of its samples, in OnMessage below and in
    // ForwardedActor.Enqueue.
    private readonly InFlight<ObjectId, Awaited> _awaited = new();
    private volatile string? _lost;

    public PeerLink(WorkerNode worker, PeerConnection connection, string address)
    {
        _worker = worker;
        _connection = connection;
        Address = address;
    }

    /// <summary>The link whose message this thread is reading: a pending ref met in it is pushed by the other side.</summary>
    public static PeerLink? Reading => t_reading;

    /// <summary>The other worker's address.</summary>
    public string Address { get; }

    public string Name => _connection.Name;

    public bool IsLost => _lost is not null;

    /// <summary>
    /// Sends a call to the actor's process. False when the link is already gone: the call was not sent, and the
    /// caller sends it through the driver instead.
    /// </summary>
    public bool TryCall(ForwardedActor actor, ActorCall call)
    {
        var id = call.ResultRef.Id;
        _awaited[id] = new Awaited(actor, call.ResultRef);
        if (_lost is not null)
        {
            // Gone before or while it was added: whoever removes it decides (OnClosed failed it, or it goes elsewhere).
            return !_awaited.TryRemove(id, out _);
        }
        Send(MessageKind.SubmitCall, 4, s_writeCall, call, s_callNotSent, (this, call));
        return true;
    }

    /// <summary>A pending ref this side read from the other: the other side pushes its outcome here.</summary>
    public void AwaitPush(ObjectRef proxy)
    {
        _awaited[proxy.Id] = new Awaited(null, proxy);
        if (_lost is { } why && _awaited.TryRemove(proxy.Id, out _))
        {
            _worker.Peers.Failed(proxy.Id, Gone(why));
        }
    }

    /// <summary>A call the other worker sent here is done: its answer goes back (one listener per link, not per call).</summary>
    public void OnObjectReady(ObjectRef completed) => SendReady(completed);

    /// <summary>Sends the outcome of <paramref name="value"/>: a call's answer, or a pushed ref.</summary>
    public void SendReady(ObjectRef value)
    {
        if (_lost is null)
        {
            Send<(ObjectRef, ClusterNode), object?>(MessageKind.ObjectReady, 2, Outcome.Ready, (value, _worker), null, null);
        }
    }

    // Every message to the other worker: the pending refs in it are pushed there once it is sent.
    private void Send<TState, TFailure>(MessageKind kind, int fields, Messages.Writer<TState> write, in TState state, Action<Exception, TFailure>? onFailure, TFailure failure)
    {
        PendingExports.Begin();
        using var message = Messages.ForSending(_worker.WireContext, kind, fields, write, state, onFailure, failure, Name);
        if (!message.Failed)
        {
            _connection.Send(message.Bytes);
            _worker.Exports.PushTo(this);
        }
    }

    /// <summary>Answers a call that could not be run here (no such actor, another build) with its error.</summary>
    public void Refuse(ObjectId id, RayException error)
    {
        if (_lost is null)
        {
            _connection.Send(Outcome.FailureMessage(id, error));
        }
    }

    public void OnMessage(PeerConnection peer, MessageKind kind, ref MessagePackReader reader)
    {
        t_reading = this;
        try
        {
            switch (kind)
            {
                case MessageKind.SubmitCall:
                    _worker.CallFrom(this, ref reader);
                    break;
                case MessageKind.ObjectReady:
                {
                    var id = IdCodec.ReadObjectId(ref reader);
                    var outcome = Outcome.Read(ref reader);
                    if (_awaited.TryRemove(id, out var awaited) && awaited.Actor is { } actor)
                    {
                        outcome.Apply(awaited.Value, _worker);
                        if (outcome.Error is ActorDiedException)
                        {
                            actor.Forget(this); // gone from that process: the driver knows where it is now
                        }
                        break;
                    }
                    _worker.Peers.Ready(id, outcome); // a push: the proxy is pinned, and owed to the driver
                    break;
                }
                default:
                    throw new MessagePackSerializationException($"Unexpected message {kind} from {Name}.");
            }
        }
        finally
        {
            t_reading = null;
        }
    }

    public void OnClosed(PeerConnection peer, Exception? error)
    {
        var why = error is null ? "closed the connection" : $"is unreachable ({error.Message})";
        if (Interlocked.CompareExchange(ref _lost, why, null) is not null)
        {
            return;
        }
        _worker.Peers.Lost(this);
        foreach (var (id, (actor, value)) in _awaited.Entries())
        {
            if (!_awaited.TryRemove(id, out _))
            {
                continue;
            }
            if (actor is null)
            {
                _worker.Peers.Failed(id, Gone(why));
                continue;
            }
            actor.Forget(this);
            value.TrySetException(new ActorDiedException(
                $"The actor {actor.DisplayName} did not answer this call: its worker process at {Address} {why} while the call was in flight."));
        }
    }

    /// <summary>Ends the link (this worker stops).</summary>
    public void Close() => _connection.Close();

    /// <summary>A call sent over this link (its actor, its result), or a pending ref pushed here (no actor, its proxy).</summary>
    private readonly record struct Awaited(ForwardedActor? Actor, ObjectRef Value);

    private RayException Gone(string why) => new($"The worker at {Address}, which was to send this value once ready, {why}.");
}
