using System.Collections.Concurrent;
using GenRay.Internal;
using MessagePack;

namespace GenRay.Cluster;

/// <summary>
/// The driver's view of an actor that lives in a worker process. Calls queue here in submission order and are
/// sent, in that order, once each one's arguments are ready and the actor has been placed; the worker's mailbox
/// then runs them one at a time (or up to MaxConcurrency). Calls sent and not yet answered are remembered: if
/// the worker goes away, the actor restarts elsewhere within MaxRestarts, and each of those calls is sent again
/// within MaxTaskRetries (so it may run twice: at least once) or fails with <see cref="ActorDiedException"/>
/// (at most once).
/// </summary>
internal sealed class RemoteActor : ActorCore
{
    private readonly ConcurrentQueue<ActorCall> _calls = new();

    // The head call, off the queue until it is ready (under _lock). Not TryPeek: a peeked ConcurrentQueue segment
    // stops clearing its slots, which kept every call (arguments, results) alive.
    private ActorCall? _next;
    private readonly InFlight<long, ActorCall> _sent = new();
    private readonly ActorCreation _creation;
    private readonly DriverNode _driver;
    private readonly object _lock = new();
    private readonly int _maxRestarts;
    private readonly int _maxTaskRetries;

    // Calls in flight when the actor's process died, to send again (in their original order) before any queued
    // call once the actor is back. Guarded by _lock.
    private readonly List<ActorCall> _resend = [];
    private WorkerHandle? _host;
    private ActorDiedException? _death;
    private bool _holdsResources;
    private WorkerHandle? _placedOn; // where its resources are held (a cluster node's), until released
    private int _restarts;

    // The host each calling worker was last told of (ActorAt), so each hears once per place the actor lives.
    private readonly ConcurrentDictionary<WorkerHandle, WorkerHandle> _told = new();

    public RemoteActor(RayRuntime runtime, ActorCreation creation, Type actorClass, DriverNode driver)
        : base(runtime, creation.Type, actorClass, creation.Options)
    {
        _creation = creation;
        _driver = driver;
        _maxRestarts = creation.Options?.MaxRestarts ?? 0;
        _maxTaskRetries = creation.Options?.MaxTaskRetries ?? 0;
    }

    public override bool IsDead => Volatile.Read(ref _death) is not null;

    public override bool ReservesResources => !_creation.Request.IsEmpty;

    public WorkerHandle? Host => _host;

    /// <summary>
    /// Whether workers may call it straight in its process. Not with MaxTaskRetries: a call in flight when the
    /// process dies is sent again by this handle, which must therefore see every call.
    /// </summary>
    public bool CalledDirectly => _maxTaskRetries == 0;

    /// <summary>The address of the actor's process, if <paramref name="caller"/> was not told it yet (and it is not the caller's own).</summary>
    public string? Locate(WorkerHandle caller)
    {
        var host = _host;
        if (host is null || host.IsLost || ReferenceEquals(host, caller)
            || (_told.TryGetValue(caller, out var told) && ReferenceEquals(told, host)))
        {
            return null;
        }
        _told[caller] = host;
        return host.Address;
    }

    /// <summary>As <c>genray list actors</c> shows it.</summary>
    public string State => IsDead ? "DEAD" : _host is not null ? "ALIVE" : _restarts > 0 ? "RESTARTING" : "PENDING_CREATION";

    public override void Enqueue(ActorCall call)
    {
        if (Volatile.Read(ref _death) is { } death)
        {
            call.Fail(death);
            return;
        }
        _calls.Enqueue(call);
    }

    public override void Kick()
    {
        lock (_lock)
        {
            if (_death is not null)
            {
                foreach (var doomed in _resend)
                {
                    doomed.Fail(_death);
                }
                _resend.Clear();
                Interlocked.Exchange(ref _next, null)?.Fail(_death);
                while (_calls.TryDequeue(out var doomed))
                {
                    doomed.Fail(_death);
                }
                return;
            }
            if (_host is null)
            {
                if (!_creation.IsReadyToActivate)
                {
                    return;
                }
                // Every worker may be dead for a moment (they are replaced): then this runs again once one joined.
                if (_driver.Place(_creation.Request, Kick) is not { } host)
                {
                    return;
                }
                _holdsResources = true;
                _placedOn = host;
                _host = host;
                _host.CreateActor(this, _creation);
            }
            foreach (var again in _resend)
            {
                if (!again.IsCancelled)
                {
                    var againId = _driver.NextCallId();
                    _sent[againId] = again;
                    _host.CallActor(this, againId, again);
                }
            }
            _resend.Clear();
            while ((_next ?? (_calls.TryDequeue(out var head) ? head : null)) is { } call)
            {
                if (!call.IsReady)
                {
                    _next = call;
                    break;
                }
                _next = null;
                if (call.IsCancelled)
                {
                    continue;
                }
                if (call.DependencyError is { } error)
                {
                    call.Fail(error);
                    continue;
                }
                var callId = _driver.NextCallId();
                _sent[callId] = call;
                _host.CallActor(this, callId, call);
            }
        }
    }

    /// <summary>An answer from the worker.</summary>
    public void Completed(long callId, Outcome.Parsed outcome)
    {
        if (_sent.TryRemove(callId, out var call))
        {
            call.ResultRef.ClearProducer(call);
            outcome.Apply(call.ResultRef, _driver);
        }
    }

    public override void Cancel(ActorCall call)
    {
        foreach (var (callId, sent) in _sent.Entries())
        {
            if (ReferenceEquals(sent, call))
            {
                _host?.CancelCall(callId);
                return;
            }
        }
    }

    public override void Kill(bool noRestart, string reason)
    {
        var restarts = Volatile.Read(ref _restarts);
        if (!noRestart && (_maxRestarts < 0 || restarts < _maxRestarts))
        {
            Restart(reason);
            return;
        }
        Die(new ActorDiedException(noRestart
            ? $"The actor {DisplayName} is dead: {reason}."
            : $"The actor {DisplayName} is dead: {reason}, and it is not restarted again (restarted {restarts} time(s), MaxRestarts = {_maxRestarts})."));
    }

    /// <summary>How often the actor was restarted.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    public override void Die(ActorDiedException cause)
    {
        WorkerHandle? host;
        lock (_lock)
        {
            if (_death is not null)
            {
                return;
            }
            _death = cause;
            host = _host;
        }
        host?.KillActor(this, cause.Message);
        foreach (var id in _sent.Ids())
        {
            if (_sent.TryRemove(id, out var call))
            {
                call.Fail(cause);
            }
        }
        ReleaseResources();
        Runtime.Actors.Unregister(this);
        Kick();
    }

    private void Restart(string reason)
    {
        WorkerHandle? host;
        var failed = new List<ActorCall>();
        lock (_lock)
        {
            if (_death is not null)
            {
                return;
            }
            _restarts++;
            host = _host;
            _host = null;
            // Under the lock, so no call is sent meanwhile; in call id order, which is the order they were sent.
            var inFlight = _sent.Ids();
            Array.Sort(inFlight);
            foreach (var id in inFlight)
            {
                if (!_sent.TryRemove(id, out var call))
                {
                    continue; // answered just now
                }
                if (_maxTaskRetries < 0 || call.Retries < _maxTaskRetries)
                {
                    call.Retries++;
                    _resend.Add(call);
                }
                else
                {
                    failed.Add(call);
                }
            }
        }
        host?.KillActor(this, $"restarting ({reason})");
        var lost = new ActorDiedException(
            $"The actor {DisplayName} was restarted ({reason}) while this call ran; it is not retried (MaxTaskRetries = {_maxTaskRetries}).");
        foreach (var call in failed)
        {
            call.Fail(lost);
        }
        ReleaseResources();
        _creation.Admit();
    }

    /// <summary>The worker hosting this actor is gone.</summary>
    public void HostLost(WorkerHandle host, string why)
    {
        if (ReferenceEquals(_host, host))
        {
            Kill(noRestart: false, $"its worker process, {host.Name}, {why}");
        }
    }

    private void ReleaseResources()
    {
        bool held;
        WorkerHandle? placedOn;
        lock (_lock)
        {
            held = _holdsResources;
            _holdsResources = false;
            placedOn = _placedOn;
            _placedOn = null;
        }
        if (held)
        {
            Runtime.Scheduler.Release(_creation.Request);
            if (placedOn is not null)
            {
                _driver.ActorGone(placedOn, _creation.Request);
            }
        }
    }

    /// <summary>Options the worker's mailbox needs: <c>[maxConcurrency]</c>.</summary>
    public void WriteOptions(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.Write(Options?.MaxConcurrency ?? 1);
    }
}
