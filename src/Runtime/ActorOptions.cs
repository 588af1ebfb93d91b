namespace GenRay;

/// <summary>
/// Options for creating an actor, Ray's <c>Actor.options(...)</c>:
/// <c>Adder.Remote.With(new ActorOptions { Name = "adder" }).New()</c>.
/// An option left null keeps what <see cref="RemoteAttribute"/> on the class says, else Ray's default.
/// </summary>
public sealed class ActorOptions
{
    /// <summary>Registers the actor under this name, so <see cref="Ray.GetActor{T}(string)"/> finds it. Names are unique per namespace.</summary>
    public string? Name { get; set; }

    /// <summary>The namespace of <see cref="Name"/>. Default: <see cref="RayOptions.Namespace"/>.</summary>
    public string? Namespace { get; set; }

    /// <summary>Logical CPUs the actor reserves for its lifetime (default 0, as in Ray).</summary>
    public double? NumCpus { get; set; }

    /// <summary>Logical GPUs the actor reserves for its lifetime.</summary>
    public double? NumGpus { get; set; }

    /// <summary>Custom resources the actor reserves for its lifetime, by name.</summary>
    public IDictionary<string, double>? Resources { get; set; }

    /// <summary>How often the actor is restarted after its process dies (default 0; -1 without limit).</summary>
    public int? MaxRestarts { get; set; }

    /// <summary>How often a call in flight when the actor's process died is retried (default 0; -1 without limit).</summary>
    public int? MaxTaskRetries { get; set; }

    /// <summary>How many calls may run at once (default 1: one at a time, in submission order).</summary>
    public int? MaxConcurrency { get; set; }

    internal static ActorOptions? Merge(ActorOptions? defaults, ActorOptions? overrides)
    {
        if (overrides is null)
        {
            return defaults;
        }
        if (defaults is null)
        {
            return overrides;
        }
        return new ActorOptions
        {
            Name = overrides.Name ?? defaults.Name,
            Namespace = overrides.Namespace ?? defaults.Namespace,
            NumCpus = overrides.NumCpus ?? defaults.NumCpus,
            NumGpus = overrides.NumGpus ?? defaults.NumGpus,
            Resources = overrides.Resources ?? defaults.Resources,
            MaxRestarts = overrides.MaxRestarts ?? defaults.MaxRestarts,
            MaxTaskRetries = overrides.MaxTaskRetries ?? defaults.MaxTaskRetries,
            MaxConcurrency = overrides.MaxConcurrency ?? defaults.MaxConcurrency,
        };
    }
}
