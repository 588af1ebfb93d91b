using System.Collections.Concurrent;

namespace GenRay.Scheduling;

/// <summary>
/// The threads admitted tasks run on: one per running task, as Ray gives each task a worker process.
/// </summary>
/// <remarks>
/// Tasks may sleep or block (Ray users write them that way), so they do not run on the shared thread pool,
/// whose thread injection is deliberately slow: a task the scheduler admits always finds a thread at once,
/// an idle one or a new one. Idle workers wait on their own event (newest first, so hot threads are reused)
/// and retire after <see cref="IdleTimeout"/>.
/// A worker that finishes a task and, in doing so, frees resources for the next queued task runs that task
/// itself instead of waking another thread (<see cref="EnterCompletion"/>): a queue of short tasks then
/// flows through as many threads as there are CPUs, without handoffs.
/// </remarks>
internal sealed class TaskWorkers
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    [ThreadStatic]
    private static Worker? t_worker;

    private readonly ConcurrentStack<Worker> _idle = new();
    private int _started;
    private volatile bool _stopped;

    /// <summary>Threads started so far (for diagnostics and tests).</summary>
    public int Started => Volatile.Read(ref _started);

    /// <summary>Runs <paramref name="item"/> on a worker thread.</summary>
    public void Run(IThreadPoolWorkItem item)
    {
        var self = t_worker;
        if (self is not null && self.Completing && self.Next is null)
        {
            self.Next = item;
            return;
        }
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

    /// <summary>Idle workers exit; running ones finish their task first.</summary>
    public void Stop()
    {
        _stopped = true;
        while (_idle.TryPop(out var worker))
        {
            worker.Retire();
        }
    }

    private sealed class Worker
    {
        private static readonly IThreadPoolWorkItem s_retired = new RetiredMarker();

        private readonly TaskWorkers _owner;
        private readonly ManualResetEventSlim _signal = new(false, spinCount: 100);
        private IThreadPoolWorkItem? _assigned;

        public Worker(TaskWorkers owner, IThreadPoolWorkItem first)
        {
            _owner = owner;
            _assigned = first;
        }

        public bool Completing { get; set; }

        public IThreadPoolWorkItem? Next { get; set; }

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
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private bool RunAssigned()
        {
            var item = Interlocked.Exchange(ref _assigned, null);
            if (ReferenceEquals(item, s_retired))
            {
                return false;
            }
            while (item is not null)
            {
                item.Execute();
                item = Next;
                Next = null;
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
