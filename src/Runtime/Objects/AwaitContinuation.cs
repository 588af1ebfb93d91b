using GenRay.Internal;
using GenRay.Scheduling;

namespace GenRay;

/// <summary>
/// Schedules an <c>await</c>'s continuation once an object is ready. Continuations never run inline on the
/// completing thread (that thread may be an actor's turn or a scheduler drain); they go to the captured
/// <see cref="SynchronizationContext"/> or <see cref="TaskScheduler"/>, else to the thread pool.
/// An <c>await</c> inside a running task gives the task's CPUs back until the object is ready, as a
/// blocking <c>Get</c> does, so awaiting nested tasks cannot deadlock the node.
/// </summary>
internal sealed class AwaitContinuation : IObjectListener, IThreadPoolWorkItem
{
    private readonly Action _continuation;
    private readonly object? _scheduler; // SynchronizationContext, TaskScheduler, or null for the thread pool
    private readonly ExecutionContext? _flow;
    private readonly TaskInvocation? _blocked;

    private AwaitContinuation(Action continuation, object? scheduler, ExecutionContext? flow, TaskInvocation? blocked)
    {
        _continuation = continuation;
        _scheduler = scheduler;
        _flow = flow;
        _blocked = blocked;
    }

    public static void OnCompleted(ObjectRef target, Action continuation) =>
        Register(target, continuation, ExecutionContext.Capture());

    public static void UnsafeOnCompleted(ObjectRef target, Action continuation) =>
        Register(target, continuation, flow: null);

    private static void Register(ObjectRef target, Action continuation, ExecutionContext? flow)
    {
        object? scheduler = null;
        var context = SynchronizationContext.Current;
        if (context is not null && context.GetType() != typeof(SynchronizationContext))
        {
            scheduler = context;
        }
        else if (TaskScheduler.Current != TaskScheduler.Default)
        {
            scheduler = TaskScheduler.Current;
        }

        var blocked = TaskInvocation.Current;
        if (blocked is not null && (!ReferenceEquals(blocked.Runtime, target.Runtime) || !blocked.Block()))
        {
            blocked = null;
        }
        target.WhenReady(new AwaitContinuation(continuation, scheduler, flow, blocked));
    }

    public void OnObjectReady(ObjectRef completed)
    {
        _blocked?.Unblock();
        switch (_scheduler)
        {
            case SynchronizationContext context:
                context.Post(static state => ((AwaitContinuation)state!).Run(), this);
                break;
            case TaskScheduler taskScheduler:
                Task.Factory.StartNew(static state => ((AwaitContinuation)state!).Run(), this, CancellationToken.None, TaskCreationOptions.DenyChildAttach, taskScheduler);
                break;
            default:
                // A worker finishing a task runs the continuation itself, next: no thread to wake.
                if (!TaskWorkers.TryDefer(this))
                {
                    ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
                }
                break;
        }
    }

    void IThreadPoolWorkItem.Execute() => Run();

    private void Run()
    {
        if (_flow is null)
        {
            _continuation();
        }
        else
        {
            ExecutionContext.Run(_flow, static state => ((Action)state!)(), _continuation);
        }
    }
}
