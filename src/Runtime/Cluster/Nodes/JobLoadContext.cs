using System.Reflection;
using System.Runtime.Loader;

namespace GenRay.Cluster.Nodes;

/// <summary>
/// A job's code on a node: the assemblies the driver shipped, in a collectible load context of the job's own, so
/// two jobs built against different versions of one library each get theirs. What the host provides — the
/// framework, GenRay and its dependencies — is shared, so the job's remotes register with the one runtime that
/// serves them and values keep one set of types.
/// </summary>
internal sealed class JobLoadContext : AssemblyLoadContext
{
    private static readonly HashSet<string> s_host = HostAssemblies();
    private readonly Dictionary<string, string> _files;

    public JobLoadContext(string job, IReadOnlyDictionary<string, string> files) : base($"GenRay job {job}", isCollectible: true) =>
        _files = new Dictionary<string, string>(files, StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether the host provides an assembly of this name (then the job's copy, if shipped, is not loaded).</summary>
    public static bool ProvidedByHost(string name) => s_host.Contains(name);

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026",
        Justification = "A job's worker host is the genray tool, a regular (untrimmed) .NET build: jobs' code is loaded from files by design.")]
    protected override Assembly? Load(AssemblyName name) =>
        name.Name is { } simple && !s_host.Contains(simple) && _files.TryGetValue(simple, out var path)
            ? LoadFromAssemblyPath(path)
            : null; // the host's (the default context resolves it, or the load fails naming it)

    private static HashSet<string> HostAssemblies()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            names.Add(Path.GetFileNameWithoutExtension(path));
        }
        foreach (var loaded in Default.Assemblies)
        {
            if (loaded.GetName().Name is { } name)
            {
                names.Add(name);
            }
        }
        return names;
    }
}
