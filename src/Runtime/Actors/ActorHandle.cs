using System.Diagnostics.CodeAnalysis;

namespace GenRay;

/// <summary>
/// A handle to an actor of class <typeparamref name="T"/>: Ray's <c>ActorHandle</c>. A small value, equal by
/// actor id, that can be passed to tasks and to other actors' methods, returned, and stored; every holder
/// calls the same actor instance. Its methods are the generated extension methods, one per public method of
/// <typeparamref name="T"/>, each returning an <see cref="ObjectRef{T}"/> at once.
/// </summary>
/// <example>
/// <code>
/// ActorHandle&lt;Counter&gt; c = Counter.Remote.New(5);
/// c.Inc();                               // fire and forget: it still runs
/// int value = await c.GetValue();        // 6
/// </code>
/// </example>
public readonly struct ActorHandle<T> : IEquatable<ActorHandle<T>>
    where T : class
{
    private readonly ActorCore? _actor;

    internal ActorHandle(ActorCore actor) => _actor = actor;

    /// <summary>The actor's id.</summary>
    public ActorId Id => Actor.Id;

    internal ActorCore Actor => _actor ?? throw Uninitialized();

    internal bool IsDefault => _actor is null;

    /// <inheritdoc />
    public bool Equals(ActorHandle<T> other) => _actor is null ? other._actor is null : other._actor is not null && _actor.Id == other._actor.Id;

    /// <inheritdoc />
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is ActorHandle<T> other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _actor?.Id.GetHashCode() ?? 0;

    /// <summary>Compares two handles by actor id.</summary>
    public static bool operator ==(ActorHandle<T> left, ActorHandle<T> right) => left.Equals(right);

    /// <summary>Compares two handles by actor id.</summary>
    public static bool operator !=(ActorHandle<T> left, ActorHandle<T> right) => !left.Equals(right);

    /// <summary>Prints <c>Actor(ClassName, &lt;id&gt;)</c>, as Ray does.</summary>
    public override string ToString() => _actor is null ? $"Actor({typeof(T).Name}, none)" : $"Actor({typeof(T).Name}, {_actor.Id})";

    private static RayException Uninitialized() =>
        new($"This ActorHandle<{typeof(T).Name}> is empty (default). Create an actor with {typeof(T).Name}.Remote.New(...) or look one up with Ray.GetActor<{typeof(T).Name}>(name).");
}
