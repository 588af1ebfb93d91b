using System.ComponentModel;
using GenRay.Scheduling;

namespace GenRay.Internal;

/// <summary>
/// A task call: admitted by the node's scheduler once its dependencies are ready and its resources free, run
/// on a pool thread, then its resources go back. For generated code; see <see cref="TaskInvocation{TResult}"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class TaskInvocation : Invocation, ISchedulable, IThreadPoolWorkItem, ICancellableWork
{
    // The task running on this thread (synchronous code), or in this async flow (async remotes). A blocking
    // Get or an await inside a task finds it here to give the task's CPUs back while it waits.
    [ThreadStatic]
    private static TaskInvocation? t_current;
    private static readonly AsyncLocal<TaskInvocation?> s_asyncCurrent = new();

    // Whether the task holds its resources, as one word so every transition is a single atomic step:
    // the high bit says "not running" (before start, after finish), the rest counts nested blocking waits.
    // The task holds its resources exactly when the word is 0.
    private const int NotRunning = 1 << 30;

    private readonly ObjectRef _result;
    private int _hold = NotRunning;

    // Who runs the task once admitted in this process: its worker thread, or a Ray.Get that would otherwise sleep
    // until it is done (see TryRunInline). Offered by the local executor; whoever takes it first runs it. One word:
    // NotOffered, Taken, OfferedByWorker, or the time (a Stopwatch timestamp, far above the others) at which a thread
    // that may Get the task offered it (see LeaveToGet).
    private const long NotOffered = 0;
    private const long Taken = 1;
    private const long OfferedByWorker = 2;
    private long _offer;

    /// <summary>How long a worker leaves a task offered by a thread that may Get it to that Get (see <see cref="LeaveToGet"/>).</summary>
    private static readonly long GetGraceTicks = System.Diagnostics.Stopwatch.Frequency / 500_000; // 2 µs

    // What only some tasks need lives in objects of their own, made on first use: an in-process task is mostly
    // in flight by the thousand, and each of them survives a GC or two (queued, or running), so every field here
    // is paid for many times over (multi_client_tasks_async: 80 bytes more per task cost a quarter of its rate).
    private TaskPlacement? _placement; // where it runs in another process (a driver's or a worker's view)
    private TaskRare? _rare;           // per-call options, cancellation, retries, children

    private protected TaskInvocation(RemoteMethod method, TaskOptions? options, ObjectRef result)
    {
        Method = method;
        _result = result;
        result.SetProducer(this);
        if (options is not null)
        {
            UseOptions(options);
        }
        else
        {
            _ = method.RequestIn(Runtime, method.Defaults); // a request the node could never hold fails here, at the stub
        }
    }

    /// <summary>The running GenRay: its result's (a field fewer per task).</summary>
    internal sealed override RayRuntime Runtime => _result.Runtime;

    internal RemoteMethod Method { get; }

    /// <summary>The options the task runs with: the method's, or per-call ones merged into them.</summary>
    internal TaskOptions? Options => Volatile.Read(ref _rare)?.Options ?? Method.Defaults;

    internal string Name => Options?.Name ?? Method.Name;

    internal static TaskInvocation? Current => s_asyncCurrent.Value ?? t_current;

    ResourceRequest ISchedulable.Request => Request;

    /// <summary>The resources the task holds while it runs: the method's (resolved once per runtime), or its per-call options'.</summary>
    internal ResourceRequest Request => Volatile.Read(ref _rare)?.Request ?? Method.RequestIn(Runtime, Method.Defaults);

    /// <summary>
    /// Gives this call the options <paramref name="original"/> ran with. A call rebuilt from another's arguments on the
    /// wire (lineage reconstruction) is made by the generated reader, which knows only the method's defaults; the
    /// per-call options (CPUs, retries, name) must come from the original. Before the call is submitted.
    /// </summary>
    internal void TakeOptionsOf(TaskInvocation original)
    {
        if (Volatile.Read(ref original._rare) is { Options: { } options, Request: var request })
        {
            var rare = Rare;
            rare.Options = options;
            rare.Request = request;
        }
    }

    /// <summary>
    /// Gives a call read from the wire the per-call options it was made with (a task a worker's code submitted:
    /// the generated reader knows only the method's defaults). Before the call is submitted.
    /// </summary>
    internal void UseOptions(TaskOptions options)
    {
        var merged = TaskOptions.Merge(Method.Defaults, options);
        var request = Method.RequestIn(Runtime, merged); // resolved first: one the node could never hold throws
        var rare = Rare;
        rare.Options = merged;
        rare.Request = request;
    }

    /// <summary>The id of this task on the connection it travelled (driver: the dispatch; worker: the driver's id). 0 if none.</summary>
    internal long RemoteId
    {
        get => Volatile.Read(ref _placement)?.RemoteId ?? 0;
        set => Placement.RemoteId = value;
    }

    /// <summary>In a driver: the worker process running this task.</summary>
    internal Cluster.WorkerHandle? RemoteHost
    {
        get => Volatile.Read(ref _placement)?.RemoteHost;
        set
        {
            if (value is not null || Volatile.Read(ref _placement) is not null)
            {
                Placement.RemoteHost = value;
            }
        }
    }

    /// <summary>In a driver: the lease whose resources this task runs on, until it finishes or blocks.</summary>
    internal Cluster.TaskLease? Lease => Volatile.Read(ref _placement)?.Lease;

    /// <summary>In a driver: the task runs on <paramref name="lease"/>.</summary>
    internal void RunOn(Cluster.TaskLease lease) => Placement.Lease = lease;

    /// <summary>In a driver: the task leaves its lease (finished or blocked); the lease it was on, once, or null.</summary>
    internal Cluster.TaskLease? TakeLease() =>
        Volatile.Read(ref _placement) is { } placement ? Interlocked.Exchange(ref placement.Lease, null) : null;

    /// <summary>In a worker: the queue of the lease this task came on.</summary>
    internal Cluster.LeaseQueue? LeaseQueue
    {
        get => Volatile.Read(ref _placement)?.LeaseQueue;
        set => Placement.LeaseQueue = value;
    }

    /// <summary>In a worker: when the task started running (Stopwatch ticks), for the run time the driver learns.</summary>
    internal long StartedAt
    {
        get => Volatile.Read(ref _placement)?.StartedAt ?? 0;
        set => Placement.StartedAt = value;
    }

    private TaskPlacement Placement => Volatile.Read(ref _placement) ?? MakeOnce(ref _placement);

    private TaskRare Rare => Volatile.Read(ref _rare) ?? MakeOnce(ref _rare);

    // Made by whichever thread needs it first; one wins, and every thread then uses that one.
    private static TSide MakeOnce<TSide>(ref TSide? side) where TSide : class, new()
    {
        var made = new TSide();
        return Interlocked.CompareExchange(ref side, made, null) ?? made;
    }

    /// <summary>The object this task's result goes to.</summary>
    internal ObjectRef ResultRef => _result;

    void ISchedulable.Start() => Runtime.Executor.Start(this);

    internal void ArmDependencies() => Arm();

    void ISchedulable.Reject(Exception reason) => Fail(reason);

    /// <summary>
    /// The task is handed to a worker thread; until that thread starts it, a blocking Get may run it instead.
    /// <paramref name="mayBeGot"/>: the submitting thread is not a task worker, so it may well Get the result at once.
    /// </summary>
    internal void OfferInline(bool mayBeGot)
    {
        Volatile.Write(ref _offer, mayBeGot ? Math.Max(System.Diagnostics.Stopwatch.GetTimestamp(), OfferedByWorker + 1) : OfferedByWorker);
    }

    /// <summary>
    /// Runs the admitted task on the calling thread, which is about to block in <c>Ray.Get</c> until it is done,
    /// when no worker thread has started it yet: the .NET thread pool inlines a task waited on the same way. It
    /// saves two thread wake-ups on the critical path (the worker's and the caller's), which on a busy machine
    /// are most of a short task's latency. Never inside a task (a task that waits gives its CPUs back so others
    /// run meanwhile; running the child on its thread would keep them), never for async methods (their
    /// continuations would capture the caller's context), and never for a Get with a timeout.
    /// </summary>
    internal bool TryRunInline()
    {
        var offer = Volatile.Read(ref _offer);
        if (Method.IsAsync || t_current is not null || offer < OfferedByWorker
            || Interlocked.CompareExchange(ref _offer, Taken, offer) != offer)
        {
            return false;
        }
        ExecuteTaken();
        return true;
    }

    void IThreadPoolWorkItem.Execute()
    {
        LeaveToGet();
        if (Interlocked.Exchange(ref _offer, Taken) == Taken)
        {
            return; // a Get ran it already
        }
        ExecuteTaken();
    }

    // A task submitted one at a time by a thread that then Gets it is reached by that Get a few hundred nanoseconds
    // after the watching worker is handed it. Racing it, the worker won a third of the time (in-process tasks sync),
    // and the caller then waited for the worker to finish and wake it: the wake-ups and the caller's sleeps were
    // most of the time (perf), and the more often it happened, the more workers were woken and fought over two
    // cores (the rate fell round by round: 0.9-1.1 M to 0.2-0.6 M). So the worker leaves such a task to the Get
    // for a moment first. Only tasks offered by a thread that is not a task worker wait: a worker's next task, the
    // one it admitted as the last one finished, is never waited on that way.
    private void LeaveToGet()
    {
        var offeredAt = Volatile.Read(ref _offer);
        if (offeredAt <= OfferedByWorker)
        {
            return;
        }
        var until = offeredAt + GetGraceTicks;
        while (Volatile.Read(ref _offer) == offeredAt && System.Diagnostics.Stopwatch.GetTimestamp() < until)
        {
            Thread.SpinWait(1);
        }
    }

    private void ExecuteTaken()
    {
        Volatile.Write(ref _hold, 0); // admitted: the scheduler acquired our resources
        if (IsCancelled)
        {
            var completing = TaskWorkers.EnterCompletion();
            ReleaseResources(); // cancelled while queued: never runs
            TaskWorkers.ExitCompletion(completing);
            return;
        }
        Run();
    }

    /// <summary>
    /// Signalled when the task is cancelled with <see cref="Ray.Cancel"/>; the runtime passes it to a
    /// <c>CancellationToken</c> parameter of the remote method. For generated code.
    /// </summary>
    protected CancellationToken CancellationToken => (TokenOwner ?? this).Token;

    /// <summary>The invocation whose cancellation this one observes: itself, or the original of a strict round-trip copy.</summary>
    private protected TaskInvocation? TokenOwner
    {
        get => Volatile.Read(ref _rare)?.TokenOwner;
        set => Rare.TokenOwner = value;
    }

    private CancellationToken Token
    {
        get
        {
            var rare = Rare;
            var source = Volatile.Read(ref rare.Cancellation);
            if (source is null)
            {
                var created = new CancellationTokenSource();
                source = Interlocked.CompareExchange(ref rare.Cancellation, created, null) ?? created;
                if (!ReferenceEquals(source, created))
                {
                    created.Dispose();
                }
                if (rare.Cancelled)
                {
                    source.Cancel();
                }
            }
            return source.Token;
        }
    }

    internal bool IsCancelled => Volatile.Read(ref _rare) is { Cancelled: true };

    /// <summary>
    /// Ray's cancel: the result fails with <see cref="TaskCancelledException"/> at once; a task not yet running never
    /// runs, a running one sees its token. In this process there is no worker to end, so <paramref name="force"/>
    /// cannot stop code that ignores the token; its result is discarded.
    /// </summary>
    public void Cancel(bool force) => Cancel(force, null);

    /// <summary>
    /// Cancels the task with <paramref name="reason"/> as its result's error (default: a
    /// <see cref="TaskCancelledException"/> saying Ray.Cancel did it). Never retried, and its children are cancelled too.
    /// </summary>
    internal void Cancel(bool force, RayException? reason)
    {
        if (IsCancelled || ResultRef.IsCompleted)
        {
            return; // a finished task stays finished, and so do the tasks it submitted
        }
        var rare = Rare;
        rare.Forced = force;
        rare.Cancelled = true;
        Fail(reason ?? new TaskCancelledException($"{Name} was cancelled by Ray.Cancel."));
        Runtime.Executor.Cancel(this, force);
        try
        {
            Volatile.Read(ref rare.Cancellation)?.Cancel();
        }
        catch (AggregateException)
        {
            // A callback registered on the token threw; the task sees the exception in its own code.
        }
        if (Volatile.Read(ref rare.Children) is { } children)
        {
            TaskInvocation[] submitted;
            lock (children)
            {
                submitted = [.. children];
            }
            foreach (var child in submitted)
            {
                child.Cancel(force);
            }
        }
    }

    /// <summary>
    /// This task's code submitted <paramref name="child"/>: cancelling this task cancels it too. A child submitted
    /// after the cancel (by code that ignores its token) is cancelled at once.
    /// </summary>
    internal void Adopt(TaskInvocation child)
    {
        var rare = Rare;
        var children = Volatile.Read(ref rare.Children);
        if (children is null)
        {
            var created = new List<TaskInvocation>();
            children = Interlocked.CompareExchange(ref rare.Children, created, null) ?? created;
        }
        lock (children)
        {
            if (children.Count >= 64 && (children.Count & (children.Count - 1)) == 0)
            {
                children.RemoveAll(c => c.ResultRef.IsCompleted);
            }
            children.Add(child);
        }
        if (rare.Cancelled)
        {
            child.Cancel(rare.Forced);
        }
    }

    private protected override void OnDependenciesReady()
    {
        if (DependencyError is { } error)
        {
            Fail(error);
            return;
        }
        Runtime.Executor.Schedule(this);
    }

    private protected abstract void Run();

    /// <summary>Completes the result with an error, without running (a failed dependency, a stopped node).</summary>
    private protected abstract void Fail(Exception error);

    /// <summary>
    /// The task waits for an object: its resources go back to the node until it resumes. False when the task is
    /// not running (code it started outlived it): then there is nothing to give back, and no Unblock follows.
    /// </summary>
    internal bool Block()
    {
        var hold = Volatile.Read(ref _hold);
        while (true)
        {
            if ((hold & NotRunning) != 0)
            {
                return false;
            }
            var seen = Interlocked.CompareExchange(ref _hold, hold + 1, hold);
            if (seen == hold)
            {
                if (hold == 0)
                {
                    Runtime.Executor.Release(this);
                }
                return true;
            }
            hold = seen;
        }
    }

    /// <summary>The wait is over: the task takes its resources again at once, even if that overdraws the node (as Ray does).</summary>
    internal void Unblock()
    {
        if (Interlocked.Decrement(ref _hold) == 0)
        {
            Runtime.Executor.Reacquire(this);
        }
    }

    private protected TaskInvocation? EnterExecution()
    {
        var previous = t_current;
        t_current = this;
        if (Method.IsAsync)
        {
            s_asyncCurrent.Value = this;
        }
        return previous;
    }

    private protected void ExitExecution(TaskInvocation? previous)
    {
        if (Method.IsAsync)
        {
            s_asyncCurrent.Value = null;
        }
        t_current = previous;
    }

    /// <summary>
    /// The task ran in another process and its outcome came back: resources go back first (as for a local run),
    /// then <paramref name="complete"/> sets the result. An <paramref name="error"/> may retry the task instead:
    /// an exception its code threw when the options retry exceptions, the death of its worker
    /// (<paramref name="systemFailure"/>) within MaxRetries.
    /// </summary>
    internal void CompleteRemotely(Action<ObjectRef> complete, Exception? error = null, bool systemFailure = false) =>
        CompleteRemotely(s_plain, complete, error, systemFailure);

    private static readonly Action<ObjectRef, Action<ObjectRef>> s_plain = static (result, complete) => complete(result);

    /// <summary>As above, with what <paramref name="complete"/> needs passed in: the driver completes tasks by the thousand, no closure each.</summary>
    internal void CompleteRemotely<TState>(Action<ObjectRef, TState> complete, TState state, Exception? error = null, bool systemFailure = false)
    {
        var completing = TaskWorkers.EnterCompletion();
        RemoteHost = null;
        if (error is null || !(systemFailure ? RetryAfterSystemFailure(error) : RetryAfter(error)))
        {
            ReleaseResources();
            ResultRef.ClearProducer(this);
            complete(ResultRef, state);
        }
        TaskWorkers.ExitCompletion(completing);
    }

    /// <summary>
    /// A value the task needs (an argument, or a ref inside one) was lost with the process that held it, and has been
    /// rebuilt: the task runs again. It did not fail, its input did, and Ray has a task wait while a lost argument is
    /// reconstructed, so this is not one of its retries and MaxRetries is not spent. False when it may not run again
    /// (cancelled meanwhile, or GenRay is stopping): then the caller lets the error stand.
    /// </summary>
    internal bool RunAgain()
    {
        RemoteHost = null;
        ReleaseResources();
        if (IsCancelled || Runtime.IsShutDown)
        {
            return false;
        }
        Runtime.Executor.Schedule(this);
        return true;
    }

    /// <summary>Marks a task the driver dispatched as running, for its resource accounting.</summary>
    internal void MarkDispatched() => Volatile.Write(ref _hold, 0);

    /// <summary>
    /// A task that ran on its lease's resources blocked and left the lease: it is running, holds nothing, and is
    /// in one blocking wait, so its <see cref="Unblock"/> takes resources of its own.
    /// </summary>
    internal void LeftLeaseBlocked() => Volatile.Write(ref _hold, 1);

    /// <summary>The task stops running: gives its resources back unless a blocking wait already did.</summary>
    private protected void ReleaseResources()
    {
        // Held exactly when the word was 0: running and not blocked. Already stopped (or blocked): nothing to give back.
        if (Interlocked.Or(ref _hold, NotRunning) == 0)
        {
            Runtime.Scheduler.Release(Request);
        }
    }

    /// <summary>How often the task was run again after a failure (its worker died, or a retried exception).</summary>
    internal int Attempts => Volatile.Read(ref _rare)?.Attempts ?? 0;

    private protected override Exception? ReadDependencyError() => Volatile.Read(ref _rare)?.DependencyError;

    private protected override void KeepDependencyError(Exception error) => Interlocked.CompareExchange(ref Rare.DependencyError, error, null);

    /// <summary>
    /// The process running the task died: a system error, retried up to MaxRetries (default 3, -1 without limit)
    /// whatever the exception options say, as in Ray. A cancelled task is never retried. Releases the resources;
    /// true when the task was queued to run again, false when <paramref name="error"/> should stand.
    /// </summary>
    private protected bool RetryAfterSystemFailure(Exception error)
    {
        ReleaseResources();
        if (IsCancelled || Runtime.IsShutDown || !Runtime.Executor.AccountsResources)
        {
            return false;
        }
        var maxRetries = Options?.MaxRetries ?? 3;
        if (maxRetries >= 0 && Attempts >= maxRetries)
        {
            return false;
        }
        Rare.Attempts++;
        Runtime.Executor.Schedule(this);
        return true;
    }

    /// <summary>
    /// An exception is an application error: retried only when the options say so (RetryExceptions, or a
    /// matching RetryExceptionTypes entry), up to MaxRetries. Releases the resources; true when the task
    /// was queued to run again.
    /// </summary>
    private protected bool RetryAfter(Exception error)
    {
        ReleaseResources();
        var options = Options;
        // In a worker process the driver decides about retries; the worker reports the failure.
        if (options is null || IsCancelled || Runtime.IsShutDown || !Runtime.Executor.AccountsResources)
        {
            return false;
        }
        var retryable = options.RetryExceptionTypes is { Count: > 0 } types
            ? types.Any(t => t.IsInstanceOfType(error) || (error is RayTaskException { InnerException: null } remote && remote.IsA(t)))
            : options.RetryExceptions == true && error is not TaskCancelledException;
        var maxRetries = options.MaxRetries ?? 3;
        if (!retryable || (maxRetries >= 0 && Attempts >= maxRetries))
        {
            return false;
        }
        Rare.Attempts++;
        Runtime.Executor.Schedule(this);
        return true;
    }

    /// <summary>Where a task runs when it crosses processes.</summary>
    private sealed class TaskPlacement
    {
        public long RemoteId;
        public Cluster.WorkerHandle? RemoteHost;
        public Cluster.TaskLease? Lease;
        public Cluster.LeaseQueue? LeaseQueue;
        public long StartedAt;
    }

    /// <summary>What a task needs once given per-call options, failed by a dependency, cancelled, retried, observed by a token, or submitting children.</summary>
    private sealed class TaskRare
    {
        public TaskOptions? Options; // per-call options merged into the method's; null: the method's own
        public ResourceRequest? Request; // what those options hold
        public Exception? DependencyError;
        public int Attempts;
        public volatile bool Cancelled;
        public bool Forced;
        public CancellationTokenSource? Cancellation;
        // Tasks this one's code submitted, so cancelling it cancels them too (Ray's recursive cancel). Created on the
        // first submission; completed children are pruned as it grows, so a long-lived parent does not keep them all.
        public List<TaskInvocation>? Children;
        public TaskInvocation? TokenOwner;
    }
}
