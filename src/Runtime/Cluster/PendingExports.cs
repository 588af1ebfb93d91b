namespace GenRay.Cluster;

/// <summary>
/// A worker's pending refs in the message this thread is building, so that once the message is sent, a receiver
/// that cannot know them is sent their outcome when ready, over the same connection: behind the message, so it
/// never arrives first. Another worker knows none of this worker's pending refs; the driver knows all but those
/// that did not come through it (<see cref="PeerLinks.DriverLacks"/>).
/// </summary>
internal sealed class PendingExports(WorkerNode worker)
{
    // With each ref, whether the driver lacks it: decided once, where the worker also keeps it findable for the driver.
    [ThreadStatic]
    private static List<(ObjectRef Pending, bool DriverLacks)>? t_refs;

    /// <summary>A pending ref is being written into this thread's message.</summary>
    public static void Add(ObjectRef pending, bool driverLacks) => (t_refs ??= []).Add((pending, driverLacks));

    /// <summary>A message is about to be built: refs met before it (in one that failed to build) are not its.</summary>
    public static void Begin() => t_refs?.Clear();

    /// <summary>The message went to another worker: every pending ref in it is pushed there.</summary>
    public void PushTo(PeerLink link)
    {
        if (t_refs is not { Count: > 0 } refs)
        {
            return;
        }
        foreach (var (pending, _) in refs)
        {
            // Ready since it was written, it goes at once: the message is sent, so this still comes after it.
            pending.WhenReady(new Push(worker, link));
        }
        refs.Clear();
    }

    /// <summary>The message went to the driver: the pending refs it does not know are pushed there.</summary>
    public void PushToDriver()
    {
        if (t_refs is not { Count: > 0 } refs)
        {
            return;
        }
        foreach (var (pending, driverLacks) in refs)
        {
            if (driverLacks)
            {
                pending.WhenReady(new Push(worker, null));
            }
        }
        refs.Clear();
    }

    /// <summary>
    /// The driver asks about a ref this worker sent it and it does not know: its outcome goes there once ready. One
    /// this worker no longer has is answered with a failure; had it been pushed, the push went first.
    /// </summary>
    public void PushToDriver(ObjectId id)
    {
        if (worker.Objects.TryGet(id, out var value))
        {
            value.WhenReady(new Push(worker, null));
            return;
        }
        worker.SendFailureToDriver(id, new RayException($"Object {id} is no longer known to the worker (pid {Environment.ProcessId}) that sent it: nothing referenced it there any more."));
    }

    private sealed class Push(WorkerNode worker, PeerLink? link) : IObjectListener
    {
        public void OnObjectReady(ObjectRef completed)
        {
            if (link is null)
            {
                worker.SendReadyToDriver(completed);
            }
            else
            {
                link.SendReady(completed);
            }
        }
    }
}
