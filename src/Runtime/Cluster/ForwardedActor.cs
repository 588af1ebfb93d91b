using GenRay.Internal;
using MessagePack;

namespace GenRay.Cluster;

/// <summary>
/// A worker's handle to an actor that lives in another process. Its calls go to the driver, which passes them to
/// the actor's process and tells this worker where that is (ActorAt, kept by the worker for the handles it reads
/// later); from then on they go straight there over a <see cref="PeerLink"/>, as Ray's callers call an actor's
/// process directly. Calls keep their order: a call goes straight only when none sent through the driver is still
/// unanswered (it has run, so nothing sent later can pass it). An answer that the actor died there, or a link that
/// breaks, sends the calls after it through the driver again, which knows where the actor is now (restarted
/// elsewhere) or that it is gone.
/// </summary>
internal sealed class ForwardedActor : ActorCore, IObjectListener
{
    private readonly WorkerNode _worker;
    private readonly object _route = new();
    private PeerLink? _direct; // guarded by _route, as is the count below
    private int _viaDriver; // calls sent through the driver and not yet answered

    public ForwardedActor(RayRuntime runtime, RemoteActorType type, Type actorClass, ActorOptions? options, WorkerNode worker)
        : base(runtime, type, actorClass, options)
    {
        _worker = worker;
        _direct = worker.Peers.HomeOf(Id); // a handle read after the driver said where the actor lives
    }

    public override bool IsDead => false;

    public override void Enqueue(ActorCall call)
    {
        call.MarkSent();
        PeerLink? direct;
        lock (_route)
        {
            direct = _viaDriver == 0 ? _direct : null;
            if (direct is null)
            {
                _viaDriver++;
            }
        }
        if (direct is not null)
        {
            if (direct.TryCall(this, call)) // the link holds the result until answered (see PeerLink._awaited)
            {
                return;
            }
            lock (_route)
            {
                Forget(direct);
                _viaDriver++;
            }
        }
        // Pinned until the driver answers (WorkerNode.Ready); a pinned ref is one the driver knows (PeerLinks.DriverLacks).
        _worker.Objects.Pin(call.ResultRef);
        call.ResultRef.WhenReady(this);
        _worker.Send(MessageKind.SubmitCall, 4, call.WriteSubmission, onFailure: call.Fail);
    }

    /// <summary>A call sent through the driver was answered.</summary>
    public void OnObjectReady(ObjectRef completed)
    {
        lock (_route)
        {
            _viaDriver--;
        }
    }

    /// <summary>The driver says where the actor lives: calls go there once those sent through the driver are answered.</summary>
    public void LocatedAt(PeerLink link)
    {
        lock (_route)
        {
            _direct = link;
        }
    }

    /// <summary>The actor is no longer reachable over <paramref name="link"/>: its calls go through the driver again.</summary>
    public void Forget(PeerLink link)
    {
        lock (_route)
        {
            if (ReferenceEquals(_direct, link))
            {
                _direct = null;
            }
            _worker.Peers.Unlocated(Id, link.Address);
        }
    }

    public override void Kick()
    {
    }

    public override void Kill(bool noRestart, string reason) =>
        _worker.Send(MessageKind.KillRequest, 2, (ref MessagePackWriter w) =>
        {
            IdCodec.Write(ref w, Id);
            w.Write(noRestart);
        });

    public override void Die(ActorDiedException cause)
    {
        // The actor lives elsewhere: its own process decides when it dies.
    }
}
