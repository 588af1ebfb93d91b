namespace GenRay.Internal;

/// <summary>
/// Ids an invocation being rebuilt from a message must take instead of fresh ones, so that a task's result or an
/// actor has the same id in every process. Set around a registry reader call, on the reading thread.
/// </summary>
/// <remarks>
/// Scopes nest: reading an actor's constructor arguments can meet handles to other actors, each rebuilt in a
/// scope of its own, and the outer actor must still get its id after them. A scope gives back what it replaced.
/// </remarks>
internal static class InvocationContext
{
    [ThreadStatic]
    private static ObjectId? t_resultId;

    [ThreadStatic]
    private static ActorId? t_actorId;

    public static Scope WithResultId(ObjectId id)
    {
        var scope = new Scope(t_resultId, t_actorId);
        t_resultId = id;
        return scope;
    }

    public static Scope WithActorId(ActorId id)
    {
        var scope = new Scope(t_resultId, t_actorId);
        t_actorId = id;
        return scope;
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

    public readonly struct Scope(ObjectId? outerResultId, ActorId? outerActorId) : IDisposable
    {
        public void Dispose()
        {
            t_resultId = outerResultId;
            t_actorId = outerActorId;
        }
    }
}
