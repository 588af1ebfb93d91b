using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace GenRay.Scheduling;

/// <summary>
/// The threads admitted tasks run on: one per running task, as Ray gives each task a worker process.
/// </summary>
/// <remarks>
/// <para>
/// Tasks may sleep or block (Ray users write them that way), so they do not run on the shared thread pool,
/// whose thread injection is deliberately slow: a task the scheduler admits always finds a thread at once,
/// an idle one or a new one. Idle workers sleep on their own event (newest first, so hot threads are reused)
/// and retire after <see cref="IdleTimeout"/>.
/// </para>
/// <para>
/// Three shortcuts keep short tasks from paying for thread handoffs:
/// a worker that finishes a task and thereby frees resources for the next queued one runs that task itself
/// (<see cref="EnterCompletion"/>); an <c>await</c> on the task's result continues on the same worker
/// (<see cref="TryDefer"/>); and one idle worker at a time watches for work for a few microseconds before it
/// sleeps, since a wake-up costs more than a task. Work that such a continuation submits is offered to both
/// the continuation's own worker and the watching one, whichever is free first (<see cref="TryShare"/>).
/// </para>
/// </remarks>
internal sealed class TaskWorkers
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);
    private static readonly long WatchTicks = System.Diagnostics.Stopwatch.Frequency / 20_000; // 50 µs
    private static readonly long ShareGraceTicks = System.Diagnostics.Stopwatch.Frequency / 500_000; // 2 µs

    [ThreadStatic]
    private static Worker? t_worker;

    private readonly ConcurrentStack<Worker> _idle = new();
    private Worker? _watcher;              // the idle worker watching for work: first to be handed some
    private IThreadPoolWorkItem? _shared;  // work offered by a continuation, taken by the first free worker
    private long _sharedAt;                 // when it was offered (a Stopwatch timestamp): see Watch
    private int _started;
    private int _busy; // workers running an item right now
    private volatile bool _stopped;

    /// <summary>Whether this thread is a task worker.</summary>
    public static bool OnWorker => t_worker is not null;

    /// <summary>Threads started so far (for diagnostics and tests).</summary>
    public int Started => Volatile.Read(ref _started);

    /// <summary>Runs <paramref name="item"/> on a worker thread.</summary>
    public void Run(IThreadPoolWorkItem item)
    {
        if (t_worker is { } self)
        {
            if (self.Completing && self.Next is null)
            {
                self.Next = item;
                return;
            }
            if (self.InContinuation && TryShare(item))
            {
                return;
            }
        }
        Dispatch(item);
    }

    private void Dispatch(IThreadPoolWorkItem item)
    {
        if (Interlocked.Exchange(ref _watcher, null) is { } watcher)
        {
            // The watcher was also the guarantee for shared work: with it gone, shared work needs a thread of its own.
            if (TakeShared() is { } stranded)
            {
                DispatchToIdleOrNew(stranded);
            }
            if (watcher.TryAssign(item))
            {
                return;
            }
        }
        DispatchToIdleOrNew(item);
    }

    private void DispatchToIdleOrNew(IThreadPoolWorkItem item)
    {
        while (_idle.TryPop(out var worker))
        {
            if (worker.TryAssign(item))
            {
                return;
            }
        }
        Interlocked.Increment(ref _started);
        new Worker(this, item).Start();
    }

    /// <summary>
    /// Offers work submitted by an <c>await</c>'s continuation to whichever is free first: the continuation's own
    /// worker (once the continuation awaits again or ends) or the watching worker. Offered only while a watcher
    /// exists, which takes it within its watch, or on leaving it; so a continuation that runs long or blocks never
    /// holds the work back.
    /// </summary>
    private bool TryShare(IThreadPoolWorkItem item)
    {
        // Stamped before it is offered: a watcher that sees the offer sees its time (a stamp overwritten by an offer
        // that then fails makes the one already offered look newer, which only delays its watcher a moment).
        Volatile.Write(ref _sharedAt, System.Diagnostics.Stopwatch.GetTimestamp());
        if (Volatile.Read(ref _watcher) is null || Interlocked.CompareExchange(ref _shared, item, null) is not null)
        {
            return false;
        }
        if (Volatile.Read(ref _watcher) is null && Interlocked.CompareExchange(ref _shared, null, item) == item)
        {
            return false; // the watcher left meanwhile: dispatch it the usual way
        }
        return true;
    }

    private IThreadPoolWorkItem? TakeShared(long offeredBefore = long.MaxValue)
    {
        var item = Volatile.Read(ref _shared);
        return item is not null && Volatile.Read(ref _sharedAt) < offeredBefore
            && Interlocked.CompareExchange(ref _shared, null, item) == item ? item : null;
    }

    /// <summary>
    /// The calling worker is finishing its task: work admitted until <see cref="ExitCompletion"/> may run next
    /// on this thread. Only the finishing phase qualifies; a task still running must never queue work behind itself.
    /// </summary>
    public static bool EnterCompletion()
    {
        if (t_worker is { Completing: false } worker)
        {
            worker.Completing = true;
            return true;
        }
        return false;
    }

    public static void ExitCompletion(bool entered)
    {
        if (entered)
        {
            t_worker!.Completing = false;
        }
    }

    /// <summary>
    /// Runs an <c>await</c>'s continuation on this worker right after the task it finishes, instead of waking a
    /// pool thread for it; false when the caller is not a worker finishing a task (or one is already deferred).
    /// The continuation runs after the completion phase, so work it submits never queues behind it.
    /// </summary>
    public static bool TryDefer(IThreadPoolWorkItem continuation)
    {
        if (t_worker is { Completing: true, Deferred: null } worker)
        {
            worker.Deferred = continuation;
            return true;
        }
        return false;
    }

    /// <summary>Idle workers exit; running ones finish their task first.</summary>
    public void Stop()
    {
        _stopped = true;
        Interlocked.Exchange(ref _watcher, null)?.Retire();
        while (_idle.TryPop(out var worker))
        {
            worker.Retire();
        }
    }

    private sealed class Worker
    {
        private static readonly IThreadPoolWorkItem s_retired = new RetiredMarker();

        private readonly TaskWorkers _owner;
        private readonly ManualResetEventSlim _signal = new(false, spinCount: 1);
        private IThreadPoolWorkItem? _assigned;

        public Worker(TaskWorkers owner, IThreadPoolWorkItem first)
        {
            _owner = owner;
            _assigned = first;
        }

        public bool Completing { get; set; }

        public bool InContinuation { get; private set; }

        public IThreadPoolWorkItem? Next { get; set; }

        public IThreadPoolWorkItem? Deferred { get; set; }

        public void Start()
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = "GenRay task worker" };
            thread.UnsafeStart();
        }

        /// <summary>Hands an idle worker its next task; false when it retired meanwhile.</summary>
        public bool TryAssign(IThreadPoolWorkItem item)
        {
            if (Interlocked.CompareExchange(ref _assigned, item, null) is not null)
            {
                return false;
            }
            _signal.Set();
            return true;
        }

        public void Retire()
        {
            if (Interlocked.CompareExchange(ref _assigned, s_retired, null) is null)
            {
                _signal.Set();
            }
        }

        private void Loop()
        {
            t_worker = this;
            while (RunAssigned())
            {
                if (_owner._stopped)
                {
                    return;
                }
                if (Watch())
                {
                    continue;
                }
                _signal.Reset();
                _owner._idle.Push(this);
                if (!_signal.Wait(IdleTimeout) && Interlocked.CompareExchange(ref _assigned, s_retired, null) is null)
                {
                    return; // nobody assigned work while we timed out: retire (a stale entry in _idle fails TryAssign)
                }
            }
        }

        // A method of its own, so no stack slot of the long-lived loop keeps a finished task (and its
        // arguments) reachable while the worker idles.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private bool RunAssigned()
        {
            var item = TakeNext();
            if (item is null)
            {
                return true;
            }
            Interlocked.Increment(ref _owner._busy);
            try
            {
                while (item is not null)
                {
                    if (ReferenceEquals(item, s_retired))
                    {
                        return false;
                    }
                    item.Execute();
                    RunDeferred();
                    item = TakeNext();
                }
                return true;
            }
            finally
            {
                Interlocked.Decrement(ref _owner._busy);
            }
        }

        // A continuation may itself finish a task whose awaiter defers the next continuation here: run them all.
        private void RunDeferred()
        {
            while (Deferred is { } continuation)
            {
                Deferred = null;
                if (Next is { } queued)
                {
                    // The continuation may run long or block: the admitted task must not wait behind it.
                    Next = null;
                    _owner.Dispatch(queued);
                }
                InContinuation = true;
                continuation.Execute();
                InContinuation = false;
                Next ??= _owner.TakeShared();
            }
        }

        private IThreadPoolWorkItem? TakeNext()
        {
            var next = Next;
            Next = null;
            return next ?? Interlocked.Exchange(ref _assigned, null);
        }

        // A task submitted one at a time (submit, wait, submit) arrives a microsecond or two after the last one
        // finished; waking a sleeping thread costs several times that. So one idle worker at a time watches for
        // work for some microseconds before it sleeps: only one, and only while fewer workers are busy than there
        // are cores; without yielding, since a yield costs about what the wake-up it would save does.
        // It looks at its own slot at every spin: a caller that submits and then Gets runs the task itself when no
        // worker took it yet, and submits the next about a microsecond later; a watcher slower to notice the first
        // (and to find it done) is not back watching by then, so every submit woke a sleeping thread (in-process
        // tasks sync 117 k/s; 1.5-2.2 M/s looking at every spin). Shared work (TryShare) it takes only once it has
        // waited ShareGraceTicks, so that the continuation's own worker, free a moment later, keeps it (taken at once,
        // `await` of one task at a time ran on two threads by turns). And it watches on while continuations keep
        // sharing: a loop of awaits runs on one worker and needs the watcher only as a guarantee, so the watcher saw
        // no work of its own, slept after its 50 µs, and the next share found none and woke a thread (that loop
        // 0.30-0.36 M/s; 1.6-2.3 M/s with both).
        private bool Watch()
        {
            if (Volatile.Read(ref _owner._busy) >= Environment.ProcessorCount
                || Interlocked.CompareExchange(ref _owner._watcher, this, null) is not null)
            {
                return false;
            }
            var deadline = System.Diagnostics.Stopwatch.GetTimestamp() + WatchTicks;
            for (var i = 1; ; i++)
            {
                if (Volatile.Read(ref _assigned) is not null)
                {
                    return true;
                }
                if ((i & 15) != 0)
                {
                    Thread.SpinWait(1);
                    continue;
                }
                var now = System.Diagnostics.Stopwatch.GetTimestamp();
                if (now >= deadline && now >= Volatile.Read(ref _owner._sharedAt) + WatchTicks)
                {
                    break;
                }
                if (_owner.TakeShared(offeredBefore: now - ShareGraceTicks) is { } shared)
                {
                    // Leave the watch first; if a submitter is handing us work right now, it lands in _assigned
                    // and runs after this item.
                    Interlocked.CompareExchange(ref _owner._watcher, null, this);
                    Next = shared;
                    return true;
                }
            }
            if (Interlocked.CompareExchange(ref _owner._watcher, null, this) == this)
            {
                if (_owner.TakeShared() is { } last)
                {
                    Next = last;
                    return true;
                }
                return false; // nobody came: sleep
            }
            // A submitter took us out of the watch just now and is handing us work.
            var waiter = new SpinWait();
            while (Volatile.Read(ref _assigned) is null)
            {
                waiter.SpinOnce(sleep1Threshold: -1);
            }
            return true;
        }

        private sealed class RetiredMarker : IThreadPoolWorkItem
        {
            public void Execute()
            {
            }
        }
    }
}
