namespace GenRay;

/// <summary>
/// Per-call options for a task, Ray's <c>f.options(...)</c>: <c>Work.Remote.With(new TaskOptions { NumCpus = 2 }).Add(1, 2)</c>.
/// An option left null keeps what <see cref="RemoteAttribute"/> on the method says, else Ray's default.
/// </summary>
public sealed class TaskOptions
{
    /// <summary>Logical CPUs held while the task runs (default 1). Fractions are allowed; 0 runs without holding CPUs.</summary>
    public double? NumCpus { get; set; }

    /// <summary>Logical GPUs held while the task runs (the custom resource <c>GPU</c>).</summary>
    public double? NumGpus { get; set; }

    /// <summary>Custom resources held while the task runs, by name.</summary>
    public IDictionary<string, double>? Resources { get; set; }

    /// <summary>Re-runs after the process running the task died (default 3; -1 without limit; 0 never).</summary>
    public int? MaxRetries { get; set; }

    /// <summary>Also retry when the task throws (up to <see cref="MaxRetries"/>).</summary>
    public bool? RetryExceptions { get; set; }

    /// <summary>Retry only when the task throws one of these exception types (or a type derived from one);
    /// implies <see cref="RetryExceptions"/>.</summary>
    public IReadOnlyList<Type>? RetryExceptionTypes { get; set; }

    /// <summary>A name for the task in errors and listings. Default: <c>Type.Method</c>.</summary>
    public string? Name { get; set; }

    /// <summary>Options in <paramref name="overrides"/> win over those in <paramref name="defaults"/>.</summary>
    internal static TaskOptions? Merge(TaskOptions? defaults, TaskOptions? overrides)
    {
        if (overrides is null)
        {
            return defaults;
        }
        if (defaults is null)
        {
            return overrides;
        }
        return new TaskOptions
        {
            NumCpus = overrides.NumCpus ?? defaults.NumCpus,
            NumGpus = overrides.NumGpus ?? defaults.NumGpus,
            Resources = overrides.Resources ?? defaults.Resources,
            MaxRetries = overrides.MaxRetries ?? defaults.MaxRetries,
            RetryExceptions = overrides.RetryExceptions ?? defaults.RetryExceptions,
            RetryExceptionTypes = overrides.RetryExceptionTypes ?? defaults.RetryExceptionTypes,
            Name = overrides.Name ?? defaults.Name,
        };
    }
}
