using GenRay.Internal;
using MessagePack;

namespace GenRay.Cluster;

/// <summary>
/// Rebuilds values lost with the worker that held them by running the task that produced them again, from the
/// lineage the driver kept (Ray's object reconstruction). A rebuild whose own arguments were lost rebuilds them
/// first, through the same fetch, so reconstruction is recursive; the depth is bounded (the lineage budget), so a
/// long chain of lost values fails with a clear error instead of re-running without end.
/// </summary>
internal sealed class Lineage(DriverNode driver)
{
    /// <summary>How deep one rebuild may recurse through lost arguments.</summary>
    public const int MaxDepth = 16;

    private static readonly TimeSpan s_rebuildTimeout = TimeSpan.FromMinutes(5);

    [ThreadStatic]
    private static int t_depth;

    /// <summary>Whether this thread is rebuilding a lost value (its lost arguments are then rebuilt too).</summary>
    public static bool IsRebuilding => t_depth > 0;

    /// <summary>The value of <paramref name="id"/>, whose holder died (<paramref name="why"/>), rebuilt; throws when it cannot be.</summary>
    public Fetched Rebuild(RemoteValue location, ObjectId id, string why)
    {
        if (location.Lineage is not { } producer)
        {
            throw new RayException(
                $"{id} is lost: it was held by {why}, and it cannot be rebuilt (it is not a task's result, or its task has MaxRetries = 0). " +
                "Objects live with the process that holds them; give the task retries to have lost results rebuilt.");
        }
        if (t_depth >= MaxDepth)
        {
            throw new RayException($"{id} is lost ({why}) and rebuilding it needs more than {MaxDepth} levels of lost arguments: the lineage budget is spent.");
        }
        t_depth++;
        try
        {
            var copy = Resubmit(producer);
            var result = copy.ResultRef;
            if (!BlockingWait.WaitOne(result, s_rebuildTimeout))
            {
                throw new RayException($"{id} is lost ({why}); rebuilding it by running {producer.Name} again did not finish within {s_rebuildTimeout.TotalMinutes} minutes.");
            }
            if (result.IsFaulted)
            {
                throw new RayException($"{id} is lost ({why}); rebuilding it by running {producer.Name} again failed: {result.Error!.Message}", result.Error);
            }
            var fetched = result.Remote is { } rebuilt
                ? driver.Fetch(rebuilt, result.Id)
                : Fetched.Of(Messages.Value(driver.WireContext, (ref MessagePackWriter w) => result.WriteValue(ref w)));
            location.Lineage = null; // the caller keeps the value now
            return fetched;
        }
        finally
        {
            t_depth--;
        }
    }

    // The producer again, as a new task with its own result: its arguments go through the wire format, as they
    // do to a worker, so the copy shares nothing mutable with the finished original. The generated reader builds
    // the copy with the method's defaults: the options the original call was given are put back.
    private TaskInvocation Resubmit(TaskInvocation producer)
    {
        var arguments = Messages.Value(driver.WireContext, (ref MessagePackWriter w) => producer.WriteArgumentsTo(ref w));
        if (!RemoteRegistry.TryGetTask(producer.Method.Id, out var read))
        {
            throw new RayException($"The driver has no remote '{producer.Method.Id}' to rebuild a lost value with.");
        }
        TaskInvocation copy;
        using (Serialization.WireContext.Enter(driver.WireContext))
        {
            var reader = new MessagePackReader(arguments);
            copy = read(ref reader);
        }
        copy.TakeOptionsOf(producer);
        driver.Runtime.Executor.Submit(copy);
        return copy;
    }
}
