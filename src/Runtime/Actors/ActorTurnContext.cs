namespace GenRay;

/// <summary>
/// The synchronization context of an async actor: continuations after an <c>await</c> inside its methods are
/// posted back to the actor's mailbox and run in its turns, so its code never runs on two threads at once,
/// while several calls interleave at their awaits.
/// </summary>
internal sealed class ActorTurnContext : SynchronizationContext
{
    private readonly LocalActor _actor;

    public ActorTurnContext(LocalActor actor) => _actor = actor;

    public override void Post(SendOrPostCallback d, object? state) => _actor.Post(d, state);

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("An actor's context does not support synchronous Send; await instead.");

    public override SynchronizationContext CreateCopy() => this;
}
