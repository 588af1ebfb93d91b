namespace GenRay;

/// <summary>
/// GenRay's entry point, Ray's <c>ray</c> module: start and stop the runtime, read results, store objects,
/// find and kill actors. Remote calls themselves go through the generated stubs (<c>Work.Remote.Add(1, 2)</c>).
/// </summary>
/// <example>
/// <code>
/// using var ray = Ray.Init(new RayOptions { NumCpus = 4 });
/// var refs = Enumerable.Range(0, 4).Select(i => Work.Remote.Slow(i)).ToList();
/// int[] results = Ray.Get(refs);
/// </code>
/// </example>
public static class Ray
{
    /// <summary>
    /// Starts GenRay (Ray's <c>ray.init</c>). With no options it runs tasks and actors inside this process,
    /// with as many logical CPUs as the machine has cores.
    /// </summary>
    /// <exception cref="RayException">GenRay is already running and <see cref="RayOptions.IgnoreReinitError"/> is not set.</exception>
    public static RayRuntime Init(RayOptions? options = null) => RayRuntime.Start(options);

    /// <summary>True between <see cref="Init"/> and <see cref="Shutdown"/>.</summary>
    public static bool IsInitialized => RayRuntime.Current is not null;

    /// <summary>
    /// Stops GenRay (Ray's <c>ray.shutdown</c>): queued work fails, actors end, and refs made so far can no
    /// longer be read. Does nothing when GenRay is not running.
    /// </summary>
    public static void Shutdown() => RayRuntime.ShutdownCurrent();

    /// <summary>Waits for the object and returns its value (Ray's <c>ray.get</c>).</summary>
    /// <exception cref="RayTaskException">The remote that makes the object threw.</exception>
    /// <exception cref="GetTimeoutException">The object was not ready within <paramref name="timeout"/>.</exception>
    public static T Get<T>(ObjectRef<T> r, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(r);
        return r.Get(timeout);
    }

    /// <summary>Waits for every object and returns their values in order (Ray's <c>ray.get</c> on a list).</summary>
    /// <exception cref="GetTimeoutException">Not every object was ready within <paramref name="timeout"/> (for all of them together).</exception>
    public static T[] Get<T>(IEnumerable<ObjectRef<T>> refs, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(refs);
        var list = refs as IReadOnlyList<ObjectRef<T>> ?? refs.ToList();
        var results = new T[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            var item = list[i] ?? throw new ArgumentException($"refs[{i}] is null.", nameof(refs));
            item.Runtime.ThrowIfShutDown(item);
        }
        WaitAll(list, timeout);
        for (var i = 0; i < list.Count; i++)
        {
            results[i] = list[i].GetCompletedResult();
        }
        return results;
    }

    /// <summary>Waits for a value-less object (the result of a <c>void</c> remote) and rethrows its error, if any.</summary>
    public static void Get(ObjectRef r, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(r);
        r.GetVoid(timeout);
    }

    /// <summary>Waits for every value-less object (results of <c>void</c> remotes) and rethrows the first error in order.</summary>
    public static void Get(IEnumerable<ObjectRef> refs, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(refs);
        var list = refs.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var item = list[i] ?? throw new ArgumentException($"refs[{i}] is null.", nameof(refs));
            item.Runtime.ThrowIfShutDown(item);
        }
        WaitAll(list, timeout);
        foreach (var item in list)
        {
            item.ThrowIfFailed();
        }
    }

    // One blocking wait for everything still pending, not one per ref: a thread blocked once (its CPUs given back
    // once, one wake-up) rather than once per object as they complete in turn. Results mostly complete in the order
    // they were asked for (a worker's tasks, an actor's calls), so it first waits for the last pending one alone and
    // looks again: usually all are done by then, and no listener was put on each of thousands of refs (each added,
    // called and taken off again, the completing threads all counting down one shared counter). Only what is still
    // pending after that is waited for together. A single pending object goes through WaitCompleted, which may run
    // its task on this thread.
    private static void WaitAll<TRef>(IReadOnlyList<TRef> refs, TimeSpan? timeout) where TRef : ObjectRef
    {
        var last = refs.Count - 1;
        while (last >= 0 && refs[last].IsCompleted)
        {
            last--;
        }
        if (last < 0)
        {
            return;
        }
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (!refs[last].WaitCompleted(timeout))
        {
            throw refs[last].Timeout(timeout!.Value);
        }
        List<ObjectRef>? pending = null;
        for (var i = 0; i < last; i++)
        {
            if (!refs[i].IsCompleted)
            {
                (pending ??= []).Add(refs[i]);
            }
        }
        if (pending is null)
        {
            return;
        }
        var left = timeout - System.Diagnostics.Stopwatch.GetElapsedTime(started); // null without a timeout
        BlockingWait.WaitAny(pending, pending.Count, left < TimeSpan.Zero ? TimeSpan.Zero : left, pending[0].Runtime);
        foreach (var item in pending)
        {
            if (!item.IsCompleted)
            {
                throw item.Timeout(timeout!.Value);
            }
        }
    }

    /// <summary>Waits for the object without blocking a thread; same as <c>await r</c>, with cancellation.</summary>
    public static Task<T> GetAsync<T>(ObjectRef<T> r, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(r);
        r.Runtime.ThrowIfShutDown(r);
        return r.IsCompleted ? CompletedTask(r) : AwaitAsync(r, ct);

        static async Task<T> AwaitAsync(ObjectRef<T> r, CancellationToken ct)
        {
            await r.AsTask().WaitAsync(ct).ConfigureAwait(false);
            return r.GetCompletedResult();
        }
    }

    /// <summary>Waits for every object without blocking a thread and returns their values in order.</summary>
    public static async Task<T[]> GetAsync<T>(IEnumerable<ObjectRef<T>> refs, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(refs);
        var list = refs as IReadOnlyList<ObjectRef<T>> ?? refs.ToList();
        var results = new T[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            results[i] = await GetAsync(list[i], ct).ConfigureAwait(false);
        }
        return results;
    }

    /// <summary>
    /// Waits until <paramref name="numReturns"/> of the objects are ready or <paramref name="timeout"/> passes
    /// (Ray's <c>ray.wait</c>). Returns at most <paramref name="numReturns"/> ready refs and the rest, each in
    /// input order. A failed object counts as ready; <c>Get</c> on it throws.
    /// </summary>
    public static WaitResult<T> Wait<T>(IReadOnlyList<ObjectRef<T>> refs, int numReturns = 1, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(refs);
        if (numReturns < 0 || numReturns > refs.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(numReturns), numReturns,
                $"numReturns must be between 0 and the number of refs ({refs.Count}).");
        }
        var list = WaitList<T>.From(refs);
        list.ThrowIfShutDown();
        // The positions of the ready refs returned; few (usually one), so on the stack when they fit.
        var picked = numReturns <= 64 ? stackalloc int[numReturns] : new int[numReturns];
        var ready = list.FindCompleted(picked);
        if (ready < numReturns && timeout != TimeSpan.Zero && list[0].Runtime.Executor is Cluster.ClusterNode
            && list.FirstPending() is { } first && BlockingWait.SpinUntilReady(first))
        {
            // Ray's loop (ready, not_ready = ray.wait(not_ready)) mostly waits for its first ref, which with worker
            // processes is a few microseconds from arriving: a short spin on it spares registering with every pending
            // ref of a long list, and the wake-up (workers:2, single_client_wait_1k_refs: 8 alternating pairs, each
            // ahead). Not in one process, where the spinning thread takes a core from the task that would complete
            // the ref (in-process, 3 pairs of an unconditional spin, each behind).
            ready = list.FindCompleted(picked);
        }
        if (ready < numReturns && timeout != TimeSpan.Zero)
        {
            // Counted again from what is still pending: some may have finished since they were looked at.
            var pending = list.Pending();
            var needed = numReturns - (list.Count - pending.Count);
            if (needed > 0)
            {
                BlockingWait.WaitAny(pending, needed, timeout, list[0].Runtime);
            }
            ready = list.FindCompleted(picked); // in input order again: earlier refs may have finished meanwhile
        }
        var (readyList, notReady) = list.Split(picked[..ready]);
        return new WaitResult<T>(readyList, notReady);
    }

    /// <summary>Stores a value and returns a ref to it (Ray's <c>ray.put</c>); pass the ref to many calls instead of copying the value into each.</summary>
    public static ObjectRef<T> Put<T>(T value)
    {
        var runtime = RayRuntime.RequireCurrent();
        var stored = new ObjectRef<T>(runtime, ObjectKind.Put);
        stored.TrySetResult(runtime.Options.StrictSerialization ? Serialization.StrictRoundTrip.Value(value, "the value given to Ray.Put") : value);
        return stored;
    }

    /// <summary>
    /// Cancels the task that makes <paramref name="r"/> (Ray's <c>ray.cancel</c>): a queued task never runs; a
    /// running one sees its <see cref="CancellationToken"/>. <c>Get</c> then throws <see cref="TaskCancelledException"/>.
    /// Cancelling a finished task does nothing.
    /// </summary>
    public static void Cancel(ObjectRef r, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(r);
        r.Runtime.ThrowIfShutDown(r);
        r.Cancel(force);
    }

    /// <summary>Finds a named actor (Ray's <c>ray.get_actor</c>) in the runtime's namespace.</summary>
    /// <exception cref="RayException">No actor has that name, or it is not a <typeparamref name="T"/> (the message says which type it is).</exception>
    public static ActorHandle<T> GetActor<T>(string name) where T : class
    {
        var runtime = RayRuntime.RequireCurrent();
        return runtime.Actors.Get<T>(name, runtime.Namespace);
    }

    /// <summary>Finds a named actor in the given namespace.</summary>
    public static ActorHandle<T> GetActor<T>(string name, string @namespace) where T : class
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        return RayRuntime.RequireCurrent().Actors.Get<T>(name, @namespace);
    }

    /// <summary>
    /// Kills an actor (Ray's <c>ray.kill</c>): its pending and later calls fail with <see cref="ActorDiedException"/>.
    /// With <paramref name="noRestart"/> false, an actor with restarts left (<see cref="ActorOptions.MaxRestarts"/>)
    /// restarts instead: its constructor runs again with the original arguments.
    /// </summary>
    public static void Kill<T>(ActorHandle<T> actor, bool noRestart = true) where T : class =>
        actor.Actor.Kill(noRestart, noRestart ? "killed by Ray.Kill" : "restarted by Ray.Kill(noRestart: false)");

    /// <summary>The node's resources and their totals (Ray's <c>ray.cluster_resources()</c>).</summary>
    public static IReadOnlyDictionary<string, double> ClusterResources() => RayRuntime.RequireCurrent().ClusterResources();

    /// <summary>The node's free resources right now (Ray's <c>ray.available_resources()</c>).</summary>
    public static IReadOnlyDictionary<string, double> AvailableResources() => RayRuntime.RequireCurrent().AvailableResources();

    private static Task<T> CompletedTask<T>(ObjectRef<T> r) =>
        r.IsFaulted ? Task.FromException<T>(r.Error!) : Task.FromResult(r.GetCompletedResult());
}
