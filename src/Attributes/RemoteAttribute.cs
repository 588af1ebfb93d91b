using System;

namespace GenRay;

/// <summary>
/// Marks a static method as a remote <em>task</em>, or a partial class as a remote <em>actor</em>.
/// The GenRay source generator then emits typed stubs into a nested <c>Remote</c> class:
/// <c>Work.Remote.Add(1, 2)</c> for a task, <c>Adder.Remote.New()</c> plus one extension method per
/// public instance method on <c>ActorHandle&lt;Adder&gt;</c> for an actor.
/// </summary>
/// <example>
/// <code>
/// public static partial class Work
/// {
///     [Remote(NumCpus = 2)]
///     public static int Add(int x, int y = 0) => x + y;
/// }
///
/// ObjectRef&lt;int&gt; sum = Work.Remote.Add(1, 2);
/// </code>
/// </example>
/// <remarks>
/// Only the options written in the attribute are read, at compile time; an option left out takes
/// Ray's default for the kind of remote (task or actor). The attribute is never read by reflection.
/// </remarks>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class RemoteAttribute : Attribute
{
    /// <summary>
    /// Logical CPUs held while the remote runs. Tasks default to 1; actors default to 0 (an actor
    /// reserves this amount for its whole lifetime). Fractions such as 0.5 are allowed.
    /// </summary>
    public double NumCpus { get; set; }

    /// <summary>Logical GPUs held while the remote runs (the custom resource <c>GPU</c>). Default 0.</summary>
    public double NumGpus { get; set; }

    /// <summary>
    /// Custom resources held while the remote runs, each written <c>"name=amount"</c>,
    /// for example <c>Resources = new[] { "gpu=1", "memory_gb=4" }</c>.
    /// </summary>
    public string[]? Resources { get; set; }

    /// <summary>
    /// Tasks only: how often a task is re-run when the process running it dies. Default 3;
    /// <c>-1</c> retries without limit, <c>0</c> never retries.
    /// </summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>
    /// Tasks only: also retry (up to <see cref="MaxRetries"/>) when the task throws. Default false:
    /// an exception is an application error and is reported, not retried.
    /// </summary>
    public bool RetryExceptions { get; set; }

    /// <summary>
    /// Tasks only: retry only these exception types (and types derived from them) when the task throws.
    /// Setting this implies <see cref="RetryExceptions"/>.
    /// </summary>
    public Type[]? RetryExceptionTypes { get; set; }

    /// <summary>
    /// Actors only: how often the actor is restarted (its constructor run again with the original
    /// arguments) after its process dies. Default 0; <c>-1</c> restarts without limit.
    /// </summary>
    public int MaxRestarts { get; set; }

    /// <summary>
    /// Actors only: how often a method call that was in flight when the actor's process died is retried
    /// on the restarted actor. Default 0 (calls run at most once); <c>-1</c> retries without limit.
    /// </summary>
    public int MaxTaskRetries { get; set; }

    /// <summary>
    /// Actors only: how many calls may run at once. Default 1: calls run one at a time in the order
    /// each caller submitted them, and an <c>async</c> method finishes before the next call starts.
    /// </summary>
    public int MaxConcurrency { get; set; } = 1;
}
