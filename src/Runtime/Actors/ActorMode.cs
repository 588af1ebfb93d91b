namespace GenRay;

/// <summary>How an actor runs its calls, decided when it is created.</summary>
internal enum ActorMode
{
    /// <summary>MaxConcurrency 1: one call at a time; an async call finishes before the next one starts (non-reentrant).</summary>
    Sequential,

    /// <summary>MaxConcurrency N, no async methods: up to N calls at once (Ray's threaded actor), on as few runner
    /// threads as keep them going: more as calls block or run long.</summary>
    Threaded,

    /// <summary>MaxConcurrency N with async methods: up to N calls in flight, interleaving at awaits, one piece of
    /// code running at a time (Ray's async actor).</summary>
    Async,
}
