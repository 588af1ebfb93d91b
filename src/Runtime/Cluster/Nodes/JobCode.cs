using System.Reflection;
using System.Security.Cryptography;

namespace GenRay.Cluster.Nodes;

/// <summary>
/// The code a driver ships to the cluster: every assembly its remotes come from and everything they reference
/// that is not the .NET framework, each named by the SHA-256 of its bytes (nodes cache by it, so a job ships only
/// what a node has not seen). Nodes then need nothing of the job pre-deployed.
/// </summary>
internal sealed class JobCode
{
    private JobCode(IReadOnlyList<CodeFile> files, IReadOnlyDictionary<string, string> paths)
    {
        Files = files;
        _paths = paths;
    }

    private readonly IReadOnlyDictionary<string, string> _paths;

    public IReadOnlyList<CodeFile> Files { get; }

    public byte[] Read(string hash) => File.ReadAllBytes(_paths[hash]);

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("SingleFile", "IL3000",
        Justification = "Checked: an app without assembly files (single-file, Native AOT) is refused with an explanation.")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026",
        Justification = "Referenced assemblies are loaded only to find their files; a trimmed app has no files to ship and is refused.")]
    public static JobCode Collect()
    {
        var roots = Internal.RemoteRegistry.Assemblies.ToList();
        if (roots.Count == 0)
        {
            throw new RayException("This program has no [Remote] code to run on the cluster.");
        }
        if (roots.Any(a => a.Location.Length == 0))
        {
            throw new RayException(
                "This program's assemblies are not files (a single-file or Native AOT build), so they cannot be shipped to the cluster. " +
                "Run the driver as a regular .NET build (`dotnet run`, or `dotnet publish` without PublishAot/PublishSingleFile).");
        }
        var framework = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(typeof(object).Assembly.Location)))!;
        var remotes = new HashSet<Assembly>(roots);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var files = new List<CodeFile>();
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<Assembly>(roots);
        while (queue.TryDequeue(out var assembly))
        {
            var name = assembly.GetName().Name!;
            if (!seen.Add(name) || assembly.IsDynamic || assembly.Location.Length == 0 || assembly.Location.StartsWith(framework, StringComparison.Ordinal))
            {
                continue;
            }
            var hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(assembly.Location))).ToLowerInvariant();
            files.Add(new CodeFile(name, hash, remotes.Contains(assembly)));
            paths[hash] = assembly.Location;
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (!seen.Contains(reference.Name!) && TryLoad(reference) is { } referenced)
                {
                    queue.Enqueue(referenced);
                }
            }
        }
        return new JobCode(files, paths);
    }

    private static Assembly? TryLoad(AssemblyName name)
    {
        try
        {
            return System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromAssemblyName(name);
        }
        catch (Exception error) when (error is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return null; // not needed to run (a reference only some code paths load, absent from this app): nothing to ship
        }
    }
}
