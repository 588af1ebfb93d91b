namespace GenRay.Generator;

/// <summary>Names of the pipeline steps, so caching tests can check each one.</summary>
internal static class TrackingNames
{
    public const string TaskResults = nameof(TaskResults);
    public const string TaskModels = nameof(TaskModels);
    public const string TaskHosts = nameof(TaskHosts);
    public const string ActorResults = nameof(ActorResults);
    public const string ActorModels = nameof(ActorModels);
    public const string UserObjects = nameof(UserObjects);
}
