using System.Collections.Concurrent;
using System.ComponentModel;
using System.Security.Cryptography;
using System.Text;
using MessagePack;

namespace GenRay.Internal;

/// <summary>Reads a task call's arguments and builds the call. Emitted per [Remote] method.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public delegate TaskInvocation TaskReader(ref MessagePackReader reader);

/// <summary>Reads an actor call's arguments and builds the call on the given actor. Emitted per actor method.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public delegate ActorCall ActorCallReader<TActor>(ref MessagePackReader reader, ActorHandle<TActor> actor)
    where TActor : class;

/// <summary>Reads a constructor's arguments and builds the actor's creation. Emitted per actor constructor.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public delegate ActorCreation ActorCreationReader(ref MessagePackReader reader);

/// <summary>
/// Every remote this process can run, by stable id: what a worker uses to turn a message back into a call. Filled
/// by module initializers the generator emits in each assembly with [Remote] code, before any of it runs.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class RemoteRegistry
{
    private static readonly ConcurrentDictionary<string, TaskReader> s_tasks = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, RemoteMethod> s_taskMethods = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, ActorCallReader> s_actorMethods = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, ActorCreationReader> s_constructors = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<System.Reflection.Assembly, byte> s_assemblies = new();

    internal delegate ActorCall ActorCallReader(ref MessagePackReader reader, ActorCore actor);

    // Workers look ids up as they come off the wire, as characters: no string made per message.
    private static readonly ConcurrentDictionary<string, TaskReader>.AlternateLookup<ReadOnlySpan<char>> s_tasksBySpan =
        s_tasks.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly ConcurrentDictionary<string, RemoteMethod>.AlternateLookup<ReadOnlySpan<char>> s_taskMethodsBySpan =
        s_taskMethods.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly ConcurrentDictionary<string, ActorCallReader>.AlternateLookup<ReadOnlySpan<char>> s_actorMethodsBySpan =
        s_actorMethods.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Registers a task's reader. For generated code.</summary>
    public static void RegisterTask(System.Reflection.Assembly assembly, RemoteMethod method, TaskReader reader)
    {
        s_tasks[method.Id] = reader;
        s_taskMethods[method.Id] = method;
        s_assemblies.TryAdd(assembly, 0);
    }

    /// <summary>Registers an actor method's reader. For generated code.</summary>
    public static void RegisterActorMethod<TActor>(System.Reflection.Assembly assembly, RemoteMethod method, ActorCallReader<TActor> reader)
        where TActor : class
    {
        s_actorMethods[method.Id] = (ref MessagePackReader r, ActorCore actor) => reader(ref r, new ActorHandle<TActor>(actor));
        s_assemblies.TryAdd(assembly, 0);
    }

    /// <summary>Registers an actor constructor's reader, keyed by the actor class and constructor. For generated code.</summary>
    public static void RegisterConstructor(System.Reflection.Assembly assembly, RemoteActorType actor, string constructorId, ActorCreationReader reader)
    {
        s_constructors[ConstructorKey(actor.Id, constructorId)] = reader;
        s_assemblies.TryAdd(assembly, 0);
    }

    internal static string ConstructorKey(string actorId, string constructorId) => actorId + "#" + constructorId;

    internal static bool TryGetTask(string id, out TaskReader reader) => s_tasks.TryGetValue(id, out reader!);

    internal static bool TryGetTask(ReadOnlySpan<char> id, out TaskReader reader) => s_tasksBySpan.TryGetValue(id, out reader!);

    internal static bool TryGetTaskMethod(ReadOnlySpan<char> id, out RemoteMethod method) => s_taskMethodsBySpan.TryGetValue(id, out method!);

    internal static bool TryGetActorMethod(string id, out ActorCallReader reader) => s_actorMethods.TryGetValue(id, out reader!);

    internal static bool TryGetActorMethod(ReadOnlySpan<char> id, out ActorCallReader reader) => s_actorMethodsBySpan.TryGetValue(id, out reader!);

    internal static bool TryGetConstructor(string key, out ActorCreationReader reader) => s_constructors.TryGetValue(key, out reader!);

    /// <summary>Whether generated registrations came from <paramref name="assembly"/>.</summary>
    internal static bool HasRemotes(System.Reflection.Assembly assembly) => s_assemblies.ContainsKey(assembly);

    internal static IReadOnlyCollection<System.Reflection.Assembly> Assemblies => [.. s_assemblies.Keys];

    /// <summary>The [Remote] class of that full name among the assemblies that registered remotes; null if none has it.</summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Actor classes are kept by their generated registrations.")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2057", Justification = "Actor classes are kept by their generated registrations.")]
    internal static Type? FindClass(string fullName) =>
        s_assemblies.Keys.Select(a => a.GetType(fullName)).FirstOrDefault(t => t is not null);

    /// <summary>
    /// A digest of every registered remote id: two processes with the same fingerprint run the same remote
    /// signatures. Compared when a worker joins, so a worker built from other code is refused, not trusted.
    /// </summary>
    internal static string Fingerprint()
    {
        var ids = s_tasks.Keys.Concat(s_actorMethods.Keys).Concat(s_constructors.Keys).Order(StringComparer.Ordinal);
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", ids)));
        return Convert.ToHexStringLower(digest.AsSpan(0, 8));
    }
}
