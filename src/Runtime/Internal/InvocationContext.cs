namespace GenRay.Internal;

/// <summary>
/// Ids an invocation being rebuilt from a message must take instead of fresh ones, so that a task's result or an
/// actor has the same id in every process. Set around a registry reader call, on the reading thread.
/// </summary>
internal static class InvocationContext
{
    [ThreadStatic]
    private static ObjectId? t_resultId;

    [ThreadStatic]
    private static ActorId? t_actorId;

    public static Scope WithResultId(ObjectId id)
    {
        t_resultId = id;
        return new Scope();
    }

    public static Scope WithActorId(ActorId id)
    {
        t_actorId = id;
        return new Scope();
    }

    /// <summary>The result id to use, once; null for a fresh one.</summary>
    public static ObjectId? TakeResultId()
    {
        var id = t_resultId;
        t_resultId = null;
        return id;
    }

    public static ActorId? TakeActorId()
    {
        var id = t_actorId;
        t_actorId = null;
        return id;
    }

    public readonly struct Scope : IDisposable
    {
        public void Dispose()
        {
            t_resultId = null;
            t_actorId = null;
        }
    }
}
