using System.ComponentModel;
using GenRay.Scheduling;

namespace GenRay.Internal;

/// <summary>
/// Describes one <c>[Remote]</c> method: a stable id (the same in every process built from the same code),
/// its display name, whether it is asynchronous, and the options its attribute set. One static instance per
/// method, emitted by the generator.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class RemoteMethod
{
    private Resolved? _resolved;

    /// <summary>Creates the descriptor. For generated code.</summary>
    public RemoteMethod(string id, string name, bool isAsync, TaskOptions? defaults = null)
    {
        Id = id;
        Name = name;
        IsAsync = isAsync;
        Defaults = defaults;
    }

    /// <summary>The method's stable id, for example <c>MyApp.Work.Add(int,int)</c>.</summary>
    public string Id { get; }

    /// <summary>The id as a MessagePack string, as every task and call sent to another process carries it: encoded once, not per message.</summary>
    internal ReadOnlySpan<byte> WireId => _wireId ??= MessagePack.MessagePackSerializer.Serialize(Id);

    private byte[]? _wireId;

    /// <summary>The name errors show, for example <c>Work.Add</c>.</summary>
    public string Name { get; }

    /// <summary>True when the method returns <c>Task</c> or <c>ValueTask</c>.</summary>
    public bool IsAsync { get; }

    /// <summary>The options written in the method's <c>[Remote]</c> attribute.</summary>
    public TaskOptions? Defaults { get; }

    /// <summary>
    /// The resources a call holds in <paramref name="runtime"/>, or nothing where the process does not account for
    /// resources (a worker: its driver does). Resolved once per runtime for the attribute's options (the common case,
    /// read for every task several times: admission, release); per-call options from <c>Remote.With</c> each time.
    /// </summary>
    internal ResourceRequest RequestIn(RayRuntime runtime, TaskOptions? effective)
    {
        if (!ReferenceEquals(effective, Defaults))
        {
            return Resolve(runtime, effective);
        }
        var cached = Volatile.Read(ref _resolved);
        if (cached is not null && ReferenceEquals(cached.Runtime, runtime))
        {
            return cached.Request;
        }
        var request = Resolve(runtime, effective);
        Volatile.Write(ref _resolved, new Resolved(runtime, request));
        return request;
    }

    private ResourceRequest Resolve(RayRuntime runtime, TaskOptions? options) =>
        runtime.Executor.AccountsResources
            ? runtime.Resources.Resolve(options?.Name ?? Name, options?.NumCpus ?? 1.0, options?.NumGpus ?? 0, options?.Resources)
            : ResourceRequest.None;

    private sealed record Resolved(RayRuntime Runtime, ResourceRequest Request);
}
