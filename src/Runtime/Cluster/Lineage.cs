using System.Buffers;
using System.Collections.Concurrent;
using GenRay.Internal;
using MessagePack;

namespace GenRay.Cluster;

/// <summary>
/// Rebuilds values lost with the worker that held them by running the task that produced them again, from the
/// lineage the driver kept (Ray's object reconstruction). A rebuild whose own arguments were lost rebuilds them
/// first, so reconstruction is recursive; the depth is bounded (the lineage budget), so a long chain of lost values
/// fails with a clear error instead of re-running without end.
/// </summary>
/// <remarks>
/// Two ways in. A read of a lost value in the driver (<see cref="Rebuild"/>) waits on the reading thread, which was
/// going to block anyway. A task that could not run because a value it needs was lost (<see cref="Recover"/>) waits
/// for the rebuild off every thread, then runs again: it is told about on a connection's reader, which must go on
/// reading the very results the rebuild waits for. Either way a value is rebuilt once however many wait for it, and
/// ends up in the driver, so it is never lost again.
/// </remarks>
internal sealed class Lineage(DriverNode driver)
{
    /// <summary>How deep one rebuild may recurse through lost arguments.</summary>
    public const int MaxDepth = 16;

    private static readonly TimeSpan s_rebuildTimeout = TimeSpan.FromMinutes(5);

    // How long the driver may take to see a holder die that a worker could not reach. A killed process's connection
    // closes at once, so this bounds only a holder that is alive after all (the error then stands).
    private static readonly TimeSpan s_deathTimeout = TimeSpan.FromSeconds(30);

    [ThreadStatic]
    private static int t_depth;

    // Rebuilds under way, by the lost value's id: a value that several readers or tasks need is rebuilt once.
    private readonly ConcurrentDictionary<ObjectId, Lazy<TaskInvocation>> _rebuilding = new();

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
            throw BudgetSpent(id, why);
        }
        t_depth++;
        try
        {
            var copy = Start(id, producer);
            var result = copy.ResultRef;
            try
            {
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
                    : Fetched.Of(Messages.ValueOf(driver.WireContext, result));
                location.Lineage = null; // the caller keeps the value now
                return fetched;
            }
            finally
            {
                Forget(id, copy); // done, or failed: a later read tries afresh
            }
        }
        finally
        {
            t_depth--;
        }
    }

    /// <summary>
    /// <paramref name="task"/> could not run: a value among its arguments, or a ref inside one, could not be fetched
    /// (from <paramref name="suspect"/>, when a worker said where) or leased. If that value's holder died, every lost value
    /// the task needs is rebuilt and the task runs again without spending its MaxRetries: Ray has a task wait while its
    /// lost arguments are reconstructed. Otherwise <paramref name="stands"/> completes the task with the error it met.
    /// </summary>
    public void Recover(TaskInvocation task, string? suspect, Action stands) =>
        _ = Task.Run(() => RecoverAsync(task, suspect, stands));

    private async Task RecoverAsync(TaskInvocation task, string? suspect, Action stands)
    {
        List<ObjectRef> lost;
        try
        {
            lost = await LostArguments(task, suspect).ConfigureAwait(false);
        }
        catch (Exception error) when (error is RayException or MessagePackSerializationException)
        {
            lost = []; // its arguments cannot even be written: what failed the task was not a loss
        }
        if (lost.Count == 0)
        {
            stands();
            return;
        }
        try
        {
            foreach (var value in lost)
            {
                await Restore(value, depth: 0).ConfigureAwait(false);
            }
        }
        catch (Exception error) when (error is RayException or MessagePackSerializationException)
        {
            var failure = new RayException($"{task.Name} could not run: {error.Message}", error);
            task.CompleteRemotely(result => result.TrySetException(failure));
            return;
        }
        if (!task.RunAgain())
        {
            stands();
        }
    }

    /// <summary>
    /// Rebuilds <paramref name="value"/>, lost with its holder, into the driver without holding a thread while its task
    /// runs, then calls <paramref name="then"/>: also when it cannot be rebuilt, which the value's location then shows.
    /// </summary>
    public void Restore(ObjectRef value, Action then) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await Restore(value, depth: 0).ConfigureAwait(false);
            }
            catch (Exception error) when (error is RayException or MessagePackSerializationException)
            {
                // Still lost: whoever asked hears that it cannot be fetched.
            }
            then();
        });

    // The refs the task's arguments carry (nested ones too) whose holder died. A holder only suspected (a worker could
    // not reach it, or its process has exited) is given the time the driver needs to see it die.
    private async Task<List<ObjectRef>> LostArguments(TaskInvocation task, string? suspect)
    {
        var lost = new List<ObjectRef>();
        foreach (var value in RefsIn(task))
        {
            if (value.Remote is { } location && await HasDied(location.Holder, suspect).ConfigureAwait(false))
            {
                lost.Add(value);
            }
        }
        return lost;
    }

    private async Task<bool> HasDied(string holder, string? suspect)
    {
        if (driver.HolderLost(holder))
        {
            return true;
        }
        var worker = driver.Workers.FirstOrDefault(w => w.Address == holder);
        if (worker is null || (holder != suspect && !worker.Process.HasExited))
        {
            return false; // the driver itself, or a worker that is alive: the value was not lost with its holder
        }
        try
        {
            await worker.WhenLost.WaitAsync(s_deathTimeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    // Brings a lost value into the driver: its producer's lost arguments first (so resubmitting the producer never
    // waits for them), then the producer again, without holding a thread while it runs; the value is then read from
    // the copy through the driver's fetch, which finds the rebuild done.
    private async Task Restore(ObjectRef value, int depth)
    {
        if (value.Remote is not { } location || !driver.HolderLost(location.Holder))
        {
            return; // restored meanwhile (another task needed it too), or held by a live process
        }
        if (depth >= MaxDepth)
        {
            throw BudgetSpent(value.Id, $"its holder {location.Holder} died");
        }
        if (location.Lineage is { } producer)
        {
            foreach (var argument in RefsIn(producer))
            {
                await Restore(argument, depth + 1).ConfigureAwait(false);
            }
            var copy = Start(value.Id, producer);
            if (!copy.ResultRef.IsCompleted)
            {
                try
                {
                    await copy.ResultRef.AsTask().WaitAsync(s_rebuildTimeout).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    Forget(value.Id, copy);
                    throw new RayException($"{value.Id} is lost; rebuilding it by running {producer.Name} again did not finish within {s_rebuildTimeout.TotalMinutes} minutes.");
                }
                catch (Exception)
                {
                    // Failed: the read below says so, with the producer's error.
                }
            }
        }
        Load(value); // without lineage, this fails saying why the value cannot be rebuilt
        driver.Objects.Add(value, pin: false); // a worker that still has the lost location asks for it by id
    }

    // The producer again, once for every reader of the lost value. Resubmitting may rebuild the producer's own lost
    // arguments on this thread (see ClusterWireContext.WriteRef), so it counts as rebuilding.
    private TaskInvocation Start(ObjectId id, TaskInvocation producer)
    {
        var entry = _rebuilding.GetOrAdd(id, _ => new Lazy<TaskInvocation>(() =>
        {
            t_depth++;
            try
            {
                return Resubmit(producer);
            }
            finally
            {
                t_depth--;
            }
        }));
        try
        {
            return entry.Value;
        }
        catch
        {
            _rebuilding.TryRemove(new KeyValuePair<ObjectId, Lazy<TaskInvocation>>(id, entry));
            throw;
        }
    }

    private void Forget(ObjectId id, TaskInvocation copy)
    {
        if (_rebuilding.TryGetValue(id, out var entry) && entry.IsValueCreated && ReferenceEquals(entry.Value, copy))
        {
            _rebuilding.TryRemove(new KeyValuePair<ObjectId, Lazy<TaskInvocation>>(id, entry));
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

    private static RayException BudgetSpent(ObjectId id, string why) =>
        new($"{id} is lost ({why}) and rebuilding it needs more than {MaxDepth} levels of lost arguments: the lineage budget is spent.");

    /// <summary>Every ref a call's arguments carry, given as an argument or inside a value, in the order written.</summary>
    private static List<ObjectRef> RefsIn(Invocation call)
    {
        var refs = new RefCollector();
        using (Serialization.WireContext.Enter(refs))
        {
            var writer = new MessagePackWriter(Discard.Instance);
            call.WriteArgumentsTo(ref writer);
            writer.Flush();
        }
        return refs.Found;
    }

    // Reads the value into the driver: its typed accessor fetches it (and the driver's fetch rebuilds a lost one).
    // Writing the value is the one way to reach that accessor from an untyped ref; the bytes go nowhere.
    private static void Load(ObjectRef value)
    {
        using (Serialization.WireContext.Enter(new RefCollector()))
        {
            var writer = new MessagePackWriter(Discard.Instance);
            value.WriteValue(ref writer);
            writer.Flush();
        }
    }

    /// <summary>A wire context that writes no refs or handles, only notes the refs: reading arguments without side effects.</summary>
    private sealed class RefCollector : Serialization.WireContext
    {
        public List<ObjectRef> Found { get; } = [];

        public override bool InlinesDependency(ObjectRef dependency) => false;

        public override void WriteRef(ref MessagePackWriter writer, ObjectRef value)
        {
            Found.Add(value);
            writer.WriteNil();
        }

        public override void WriteActor(ref MessagePackWriter writer, ActorCore actor) => writer.WriteNil();

        public override ObjectRef<T> ReadRef<T>(ref MessagePackReader reader) => throw new NotSupportedException();

        public override ObjectRef ReadVoidRef(ref MessagePackReader reader) => throw new NotSupportedException();

        public override ActorCore ReadActor(ref MessagePackReader reader, Type actorClass) => throw new NotSupportedException();
    }

    /// <summary>Bytes written here are dropped: one scratch buffer, shared, whose content nobody reads.</summary>
    private sealed class Discard : IBufferWriter<byte>
    {
        public static readonly Discard Instance = new();

        private readonly byte[] _scratch = new byte[64 * 1024];

        public void Advance(int count)
        {
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => sizeHint <= _scratch.Length ? _scratch : new byte[sizeHint];

        public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
    }
}
