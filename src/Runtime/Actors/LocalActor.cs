using System.Collections.Concurrent;
using GenRay.Internal;
using GenRay.Scheduling;

namespace GenRay;

/// <summary>
/// An actor living in this process: its instance, its mailbox and its lifecycle.
/// </summary>
/// <remarks>
/// The mailbox is a FIFO of calls with a single consumer: a "turn" run on the thread pool, started by
/// <see cref="Kick"/> when a call becomes ready and none is running (<c>_scheduled</c> is the guard). A turn
/// starts calls in order while the head is ready and fewer than MaxConcurrency are in flight; a head still
/// waiting for its arguments holds back the calls behind it, which is what keeps one caller's calls in
/// submission order even when their arguments finish out of order. A turn ends after a fixed budget so one
/// busy actor cannot hold a pool thread forever; it then re-checks for work, since a call may have become
/// ready between its last look and clearing the guard.
/// </remarks>
internal sealed class LocalActor : ActorCore, IThreadPoolWorkItem, IStallWatched
{
    private const int TurnBudget = 256;
    private static readonly long WatchTicks = System.Diagnostics.Stopwatch.Frequency / 20_000; // 50 µs
    private const int Creating = 0;
    private const int Alive = 1;
    private const int Dead = 2;

    private readonly ConcurrentQueue<ActorCall> _calls = new();

    // The head call, taken off the queue by the turn and kept here until it is ready. Not TryPeek: a peeked
    // ConcurrentQueue segment stops clearing its slots, which kept every call (arguments, results) alive.
    private ActorCall? _next;
    private readonly ConcurrentQueue<(SendOrPostCallback Callback, object? State)>? _posted;
    private readonly ConcurrentDictionary<ActorCall, byte>? _running;
    private readonly ActorTurnContext? _context;
    private readonly ActorCreation _creation;
    private readonly ActorMode _mode;
    private readonly int _maxConcurrency;
    private readonly int _maxRestarts;
    private readonly object _lifecycle = new();
    private volatile int _state = Creating;
    private volatile ActorCall? _current;
    private int _scheduled;
    private int _queuedTurn; // 1 while a turn queued on the pool has not started: a Get may run it instead (TryRunTurnInline)
    private int _spinner; // 1 while a threaded call's thread watches for the next call (WatchForNext)
    private int _inFlight;

    // A threaded actor's runners: threads that each run one call after another (RunThreaded). As few as keep its calls
    // going: one, twice as many each time they stall (StallWatch), one more when one blocks in a GenRay wait, up to MaxConcurrency.
    private int _runners;
    private int _runnerCap = 1; // runners a turn may start; back down by one as each runner finds nothing to do
    private int _callsStarted; // by the runners: the stall watch compares it with what it saw a tick before
    private int _seenStarted;
    private int _watched; // 1 while the stall watch looks at this actor
    private object? _instance;
    private ActorDiedException? _death;
    private int _restarts;
    private bool _holdsResources;

    public LocalActor(RayRuntime runtime, ActorCreation creation, Type clrType)
        : base(runtime, creation.Type, clrType, creation.Options)
    {
        _creation = creation;
        _maxConcurrency = creation.Options?.MaxConcurrency ?? 1;
        _maxRestarts = creation.Options?.MaxRestarts ?? 0;
        _mode = _maxConcurrency == 1 ? ActorMode.Sequential : creation.Type.HasAsyncMethods ? ActorMode.Async : ActorMode.Threaded;
        if (_mode != ActorMode.Sequential)
        {
            _running = new ConcurrentDictionary<ActorCall, byte>(ReferenceEqualityComparer.Instance);
        }
        if (_mode == ActorMode.Async)
        {
            _posted = new ConcurrentQueue<(SendOrPostCallback, object?)>();
            _context = new ActorTurnContext(this);
        }
    }

    public ActorMode Mode => _mode;

    public override bool IsDead => _state == Dead;

    /// <summary>Whether the actor reserves resources: such an actor is kept alive by the directory until killed.</summary>
    public override bool ReservesResources => !_creation.Request.IsEmpty;

    public override void Enqueue(ActorCall call)
    {
        if (_state == Dead)
        {
            call.Fail(_death!);
            return;
        }
        // No kick here: the call kicks the mailbox when its arguments are ready (at once, usually).
        // If the actor dies before then, that kick finds it dead and fails the call.
        _calls.Enqueue(call);
    }

    public override void Kick()
    {
        while (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            if (Volatile.Read(ref _spinner) == 0)
            {
                if (!Cluster.PeerConnection.TryLendReader(_onReader ??= new TurnOnReader(this)))
                {
                    // Local first: a caller on a pool thread that then awaits the call finds the turn on its own queue.
                    Volatile.Write(ref _queuedTurn, 1);
                    ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
                }
                return;
            }
            // A threaded call's thread is watching for the next call (RunThreaded): it takes it, and looks again
            // when it stops watching. If it stopped while the guard was held here, it may have missed it: retry.
            Interlocked.Exchange(ref _scheduled, 0);
            if (Volatile.Read(ref _spinner) != 0)
            {
                return;
            }
        }
    }

    private TurnOnReader? _onReader;

    /// <summary>A turn of one call on the reader's thread that read it (a lone call from another process); the rest wait for the next turn.</summary>
    private sealed class TurnOnReader(LocalActor actor) : IThreadPoolWorkItem
    {
        public void Execute() => actor.Turn(budget: 1);
    }

    /// <summary>An async actor's continuation, posted by <see cref="ActorTurnContext"/>.</summary>
    public void Post(SendOrPostCallback callback, object? state)
    {
        _posted!.Enqueue((callback, state));
        Kick();
    }

    void IThreadPoolWorkItem.Execute()
    {
        // Each queued turn sets the flag once; a turn a Get ran instead leaves its pool item with nothing to do. A later
        // kick sets it again, so whichever of the two items runs first takes that turn, and the other finds nothing.
        if (Interlocked.Exchange(ref _queuedTurn, 0) != 0)
        {
            Turn(TurnBudget);
        }
    }

    /// <summary>
    /// Runs the turn queued on the pool on the calling thread, which is about to block in <c>Ray.Get</c> until
    /// <paramref name="awaited"/> (a call of this actor) is done, when no pool thread has started it yet: the call
    /// then costs no thread hand-off either way (as <see cref="TaskInvocation.TryRunInline"/> does for tasks). The
    /// turn stops once the awaited call is done; the calls after it get a turn of their own. Not for a threaded actor
    /// (its runners take its calls), a caller that runs remote code (a task gives its CPUs back while it waits; an
    /// actor's turn must not run another actor's on its thread), or a caller under a task scheduler of its own: the
    /// turn runs with no synchronization context but the actor's, and an async call's awaits would otherwise go back
    /// to that scheduler, as a pool thread's would not (an await that does not finish at once then ends the turn,
    /// and its continuation runs where a pool thread's turn would have sent it).
    /// </summary>
    internal bool TryRunTurnInline(ActorCall awaited)
    {
        if (_mode == ActorMode.Threaded || t_actor is not null || TaskInvocation.Current is not null
            || TaskScheduler.Current != TaskScheduler.Default
            || Volatile.Read(ref _queuedTurn) == 0 || Interlocked.Exchange(ref _queuedTurn, 0) == 0)
        {
            return false;
        }
        Turn(TurnBudget, awaited.ResultRef);
        return true;
    }

    // The actor whose calls this thread runs (in a turn, or as a threaded actor's runner): its Gets run no other turn.
    [ThreadStatic]
    private static LocalActor? t_actor;

    private void Turn(int budget, ObjectRef? until = null)
    {
        var previousContext = SynchronizationContext.Current;
        // A turn run inline by a Get must not leave the caller's context to the calls it runs (a pool thread has none).
        if (_context is not null || (until is not null && previousContext is not null))
        {
            SynchronizationContext.SetSynchronizationContext(_context);
        }
        var outerActor = t_actor;
        t_actor = this;
        ThreadBudget.Enter();
        try
        {
            RunTurn(budget, until);
        }
        finally
        {
            ThreadBudget.Exit();
            t_actor = outerActor;
            if (!ReferenceEquals(SynchronizationContext.Current, previousContext))
            {
                SynchronizationContext.SetSynchronizationContext(previousContext);
            }
        }
        ReleaseTurn();
    }

    /// <summary>Lets go of the turn's guard, then looks for work that arrived while it was held.</summary>
    private void ReleaseTurn()
    {
        // A full fence, not a release: the check below must not read the mailbox before this store is visible, or a
        // call made ready meanwhile (whose Kick saw the guard taken) would wait forever.
        Interlocked.Exchange(ref _scheduled, 0);
        if (HasRunnableWork())
        {
            Kick();
        }
    }

    private void RunTurn(int budget, ObjectRef? until)
    {
        for (; budget > 0 && until is not { IsCompleted: true }; budget--)
        {
            if (_posted is not null && _state != Dead && _posted.TryDequeue(out var posted))
            {
                posted.Callback(posted.State);
                continue;
            }
            switch (_state)
            {
                case Dead:
                    FailQueued();
                    return;
                case Creating:
                    if (!_creation.IsReadyToActivate)
                    {
                        return;
                    }
                    Activate();
                    continue;
            }
            if (Volatile.Read(ref _inFlight) >= _maxConcurrency || (_mode == ActorMode.Threaded && !MayStartRunner))
            {
                return; // a threaded actor's runners take the next call when they are done with theirs
            }
            var call = _next ?? (_calls.TryDequeue(out var head) ? head : null); // single consumer: the turn
            if (call is null || !call.IsReady)
            {
                Volatile.Write(ref _next, call);
                return;
            }
            Volatile.Write(ref _next, null);
            Start(call);
        }
    }

    // The head kept back is ready, or, with none kept back, a call is queued (it may still wait for its arguments).
    private bool HeadMayBeReady => Volatile.Read(ref _next) is { } next ? next.IsReady : !_calls.IsEmpty;

    private bool HasRunnableWork()
    {
        if (_posted is { IsEmpty: false })
        {
            return true;
        }
        return _state switch
        {
            Dead => !_calls.IsEmpty || Volatile.Read(ref _next) is not null,
            Creating => _creation.IsReadyToActivate,
            _ => Volatile.Read(ref _inFlight) < _maxConcurrency && (_mode != ActorMode.Threaded || MayStartRunner) && HeadMayBeReady,
        };
    }

    private bool MayStartRunner => Volatile.Read(ref _runners) < Volatile.Read(ref _runnerCap);

    private void Activate()
    {
        lock (_lifecycle)
        {
            if (_state != Creating)
            {
                return;
            }
            _holdsResources = true;
        }
        try
        {
            var instance = _creation.CreateInstance();
            lock (_lifecycle)
            {
                if (_state == Creating)
                {
                    _instance = instance;
                    _state = Alive;
                }
            }
        }
        catch (Exception error)
        {
            var cause = RayTaskException.FromLocal($"{Type.Name} constructor", error);
            Die(new ActorDiedException(
                $"The actor {DisplayName} died: its constructor threw {cause.ExceptionTypeName}: {cause.ExceptionMessage}", cause));
        }
    }

    private void Start(ActorCall call)
    {
        if (call.IsCancelled)
        {
            return;
        }
        if (call.DependencyError is { } error)
        {
            call.Fail(error);
            return;
        }
        Interlocked.Increment(ref _inFlight);
        switch (_mode)
        {
            case ActorMode.Sequential:
                _current = call;
                if (call.Execute(_instance!, this))
                {
                    Finished(call, inTurn: true);
                }
                break;
            case ActorMode.Threaded:
                // A runner of its own, which goes on to the calls after it; more when the runners stall (CheckStall).
                _running!.TryAdd(call, 0);
                Interlocked.Increment(ref _runners); // a full fence: ordered before the look at _watched
                _callsStarted++;
                StallWatch.WatchOnce(this, ref _watched);
                Runtime.Workers.Run(call);
                break;
            case ActorMode.Async:
                _running!.TryAdd(call, 0);
                if (call.Execute(_instance!, this))
                {
                    Finished(call, inTurn: true);
                }
                break;
        }
    }

    /// <summary>
    /// A threaded actor's runner, on a worker thread: its first call, then, keeping its slot, the calls after it that
    /// are ready, while the turn is not running. A stream of short calls so runs on one thread, with no hand-off per
    /// call; calls that run long or block get more runners (<see cref="IStallWatched.CheckStall"/>, <see cref="RunnerBlocking"/>).
    /// </summary>
    public void RunThreaded(ActorCall call)
    {
        var outerActor = t_actor;
        t_actor = this;
        try
        {
            RunThreadedCalls(call);
        }
        finally
        {
            t_actor = outerActor;
        }
    }

    private void RunThreadedCalls(ActorCall call)
    {
        for (var budget = TurnBudget; ; budget--)
        {
            var instance = _instance;
            if (instance is null || _state != Alive)
            {
                call.Fail(_death ?? new ActorDiedException($"The actor {DisplayName} is restarting; the call was lost."));
                StopRunner(call, idle: false);
                return;
            }
            ThreadBudget.Enter();
            bool done;
            try
            {
                done = call.Execute(instance, this);
            }
            finally
            {
                ThreadBudget.Exit();
            }
            if (!done)
            {
                StopRunner(null, idle: false); // the call finishes later (Finished)
                return;
            }
            if (budget <= 1 || (TakeReadyHead() ?? WatchForNext()) is not { } next)
            {
                StopRunner(call, idle: budget > 1);
                return;
            }
            _running!.TryRemove(call, out _);
            _running.TryAdd(next, 0);
            _callsStarted++; // not atomic: runners racing may lose a count, but never leave it where it was
            call = next;
        }
    }

    /// <summary>A runner stops, its last call done. Before that call frees its slot: the kick that may follow must see
    /// this runner gone, or a turn would leave ready calls to it.</summary>
    private void StopRunner(ActorCall? call, bool idle)
    {
        Interlocked.Decrement(ref _runners);
        if (idle)
        {
            MoveRunnerCap(-1); // nothing to do for this one: the next burst starts on fewer threads
        }
        if (call is not null)
        {
            Finished(call, inTurn: false);
        }
        else if (HasRunnableWork())
        {
            Kick();
        }
    }

    /// <summary>
    /// The calling thread is about to block in a GenRay wait: if it is a threaded actor's runner, the calls waiting
    /// behind it get another runner now (what it waits for may be one of them), rather than after a stall's tick.
    /// </summary>
    public static void RunnerBlocking()
    {
        if (t_actor is { _mode: ActorMode.Threaded } actor)
        {
            actor.AddRunners(1);
        }
    }

    /// <summary>Lets a turn start <paramref name="count"/> more runners (up to MaxConcurrency), and kicks one when a
    /// call is waiting for them.</summary>
    private void AddRunners(int count)
    {
        MoveRunnerCap(count);
        if (HasRunnableWork())
        {
            Kick();
        }
    }

    // Moves the number of runners a turn may start by `by`, kept between one and MaxConcurrency.
    private void MoveRunnerCap(int by)
    {
        int cap, moved;
        while ((moved = Math.Clamp((cap = Volatile.Read(ref _runnerCap)) + by, 1, _maxConcurrency)) != cap
            && Interlocked.CompareExchange(ref _runnerCap, moved, cap) != cap)
        {
        }
    }

    /// <summary>
    /// A threaded actor's runners started no call since the last look (a tick ago) while one is ready: they run long
    /// or block (a lock, a sleep, another call's result), so as many runners again as are running may start, up to
    /// MaxConcurrency: doubling, sixteen blocked calls all run within about eight ticks (Ray's threaded actor runs
    /// them at once). Unwatched once no runner is left.
    /// </summary>
    bool IStallWatched.CheckStall(long now)
    {
        if (Volatile.Read(ref _runners) == 0)
        {
            return StallWatch.StaysWhenIdle(ref _watched, this, static actor => Volatile.Read(ref actor._runners) != 0);
        }
        var started = Volatile.Read(ref _callsStarted);
        if (started != _seenStarted)
        {
            _seenStarted = started;
            return true;
        }
        if (_state == Alive && Volatile.Read(ref _inFlight) < _maxConcurrency && HeadMayBeReady)
        {
            AddRunners(Math.Max(1, Volatile.Read(ref _runners))); // doubling
        }
        return true;
    }

    /// <summary>
    /// Keeps this thread and its slot for a few microseconds when no call is ready, so that calls made one after
    /// another each start on it rather than each costing a turn and a thread's wake-up (one thread per actor watches,
    /// and <see cref="Kick"/> leaves the work to it). Stops at the first call it can take, and re-checks once it stops.
    /// </summary>
    private ActorCall? WatchForNext()
    {
        if (Interlocked.CompareExchange(ref _spinner, 1, 0) != 0)
        {
            return null;
        }
        var until = System.Diagnostics.Stopwatch.GetTimestamp() + WatchTicks;
        var spinner = new SpinWait();
        ActorCall? next = null;
        while (_state == Alive && System.Diagnostics.Stopwatch.GetTimestamp() < until)
        {
            if (HeadMayBeReady && (next = TakeReadyHead()) is not null)
            {
                break;
            }
            spinner.SpinOnce(sleep1Threshold: -1);
        }
        Interlocked.Exchange(ref _spinner, 0); // a full fence: Kicks that left work to this thread are seen below
        if (next is null)
        {
            return TakeReadyHead(); // which kicks a turn for whatever else is waiting
        }
        // Calls made ready while this thread watched were left to it, but it runs only the one it took: the others
        // get a turn (and threads of their own) now, not after that call, which may block.
        if (HasRunnableWork())
        {
            Kick();
        }
        return next;
    }

    /// <summary>
    /// The head call, when it is ready to start plainly (not cancelled, arguments fine) and no turn is running: a
    /// call taken here is started by the caller with the slot it already holds. Anything else is left to a turn.
    /// </summary>
    private ActorCall? TakeReadyHead()
    {
        if (_state != Alive || Interlocked.CompareExchange(ref _scheduled, 1, 0) != 0)
        {
            return null; // a running turn starts the next call
        }
        var call = _next ?? (_calls.TryDequeue(out var head) ? head : null); // single consumer: holding _scheduled
        var taken = call is { IsReady: true, IsCancelled: false, DependencyError: null } ? call : null;
        Volatile.Write(ref _next, taken is null ? call : null);
        ReleaseTurn();
        return taken;
    }

    /// <summary>A call finished. From outside a turn (an async completion, a threaded call) it may free a slot, so kick.</summary>
    public void Finished(ActorCall call, bool inTurn)
    {
        if (_mode == ActorMode.Sequential)
        {
            _current = null;
        }
        else
        {
            _running!.TryRemove(call, out _);
        }
        Interlocked.Decrement(ref _inFlight);
        // After the decrement, as a turn's end re-checks: a call made ready while the slots were full is found here.
        if (!inTurn && HasRunnableWork())
        {
            Kick();
        }
    }

    public override void Kill(bool noRestart, string reason)
    {
        if (!noRestart && (_maxRestarts < 0 || Volatile.Read(ref _restarts) < _maxRestarts))
        {
            Restart(reason);
            return;
        }
        Die(new ActorDiedException($"The actor {DisplayName} is dead: {reason}."));
    }

    public override void Die(ActorDiedException cause)
    {
        lock (_lifecycle)
        {
            if (_state == Dead)
            {
                return;
            }
            _death = cause;
            _state = Dead;
            _instance = null;
        }
        ReleaseResources();
        Runtime.Actors.Unregister(this);
        FailInFlight(cause);
        Runtime.Executor.ActorDied(this, cause);
        Kick(); // the next turn fails whatever is queued
    }

    private void Restart(string reason)
    {
        lock (_lifecycle)
        {
            if (_state == Dead)
            {
                return;
            }
            _restarts++;
            _state = Creating;
            _instance = null;
        }
        ReleaseResources();
        FailInFlight(new ActorDiedException($"The actor {DisplayName} was restarted ({reason}) while this call ran."));
        _creation.Admit();
    }

    private void ReleaseResources()
    {
        bool held;
        lock (_lifecycle)
        {
            held = _holdsResources;
            _holdsResources = false;
        }
        if (held)
        {
            Runtime.Scheduler.Release(_creation.Request);
        }
    }

    private void FailInFlight(ActorDiedException cause)
    {
        _current?.Fail(cause);
        if (_running is not null)
        {
            foreach (var call in _running.Keys)
            {
                call.Fail(cause);
            }
        }
    }

    private void FailQueued()
    {
        _posted?.Clear();
        Interlocked.Exchange(ref _next, null)?.Fail(_death!);
        while (_calls.TryDequeue(out var call))
        {
            call.Fail(_death!);
        }
    }
}
