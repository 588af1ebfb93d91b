using System.ComponentModel;

namespace GenRay.Internal;

/// <summary>Describes one <c>[Remote]</c> actor class: its stable id, name, whether any method is asynchronous,
/// and the options its attribute set. One static instance per actor class, emitted by the generator.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class RemoteActorType
{
    /// <summary>Creates the descriptor. For generated code.</summary>
    public RemoteActorType(string id, string name, bool hasAsyncMethods, ActorOptions? defaults = null)
    {
        Id = id;
        Name = name;
        HasAsyncMethods = hasAsyncMethods;
        Defaults = defaults;
    }

    /// <summary>The class's stable id (its full name).</summary>
    public string Id { get; }

    /// <summary>The class name errors show, for example <c>Adder</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// True when any public method returns <c>Task</c> or <c>ValueTask</c>: with <c>MaxConcurrency</c> above 1 the
    /// actor is then an async actor (calls interleave at awaits, one at a time), else a threaded one.
    /// </summary>
    public bool HasAsyncMethods { get; }

    /// <summary>The options written in the class's <c>[Remote]</c> attribute.</summary>
    public ActorOptions? Defaults { get; }
}
