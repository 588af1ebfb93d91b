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
    // One object per thread that has read a message, null on every other: every task and actor call made asks for
    // its ids here, and a thread static of a reference type is read inline, where the nullable structs went through
    // the runtime's TLS lookup (TakeResultId and __tls_get_addr, ~3 % of a profile of in-process n:n actor calls).
    [ThreadStatic]
    private static Ids? t_ids;

    public static Scope WithResultId(ObjectId id)
    {
        var ids = t_ids ??= new Ids();
        var scope = new Scope(ids.ResultId, ids.ActorId);
        ids.ResultId = id;
        return scope;
    }

    public static Scope WithActorId(ActorId id)
    {
        var ids = t_ids ??= new Ids();
        var scope = new Scope(ids.ResultId, ids.ActorId);
        ids.ActorId = id;
        return scope;
    }

    /// <summary>The result id to use, once; null for a fresh one.</summary>
    public static ObjectId? TakeResultId()
    {
        if (t_ids is not { ResultId: { } id } ids)
        {
            return null;
        }
        ids.ResultId = null;
        return id;
    }

    public static ActorId? TakeActorId()
    {
        if (t_ids is not { ActorId: { } id } ids)
        {
            return null;
        }
        ids.ActorId = null;
        return id;
    }

    private sealed class Ids
    {
        public ObjectId? ResultId;
        public ActorId? ActorId;
    }

    public readonly struct Scope(ObjectId? outerResultId, ActorId? outerActorId) : IDisposable
    {
        public void Dispose()
        {
            var ids = t_ids!; // made by the With... call that made this scope
            ids.ResultId = outerResultId;
            ids.ActorId = outerActorId;
        }
    }
}
