using System.ComponentModel;

namespace GenRay.Internal;

/// <summary>The result of a remote returning <c>void</c>, <c>Task</c> or <c>ValueTask</c>. For generated code.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct Unit : IEquatable<Unit>
{
    /// <summary>The only value.</summary>
    public static readonly Unit Value;

    /// <summary>Waits for a <see cref="Task"/> and gives <see cref="Unit"/>; allocates only when the task is not done yet.</summary>
    public static ValueTask<Unit> From(Task task)
    {
        if (task.IsCompletedSuccessfully)
        {
            return default;
        }
        return Await(task);

        static async ValueTask<Unit> Await(Task pending)
        {
            await pending.ConfigureAwait(false);
            return default;
        }
    }

    /// <summary>Waits for a <see cref="ValueTask"/> and gives <see cref="Unit"/>.</summary>
    public static ValueTask<Unit> From(ValueTask task)
    {
        if (task.IsCompletedSuccessfully)
        {
            task.GetAwaiter().GetResult();
            return default;
        }
        return Await(task);

        static async ValueTask<Unit> Await(ValueTask pending)
        {
            await pending.ConfigureAwait(false);
            return default;
        }
    }

    /// <inheritdoc />
    public bool Equals(Unit other) => true;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Unit;

    /// <inheritdoc />
    public override int GetHashCode() => 0;

    /// <inheritdoc />
    public override string ToString() => "()";
}
