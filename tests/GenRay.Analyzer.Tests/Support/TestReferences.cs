using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace GenRay.Analyzer.Tests;

/// <summary>
/// What test compilations reference: this process's own framework assemblies plus the GenRay runtime and
/// attribute. Nothing is downloaded, so the tests run where only the package registry's served versions exist.
/// </summary>
internal static class TestReferences
{
    public static readonly ImmutableArray<MetadataReference> All = Load();

    /// <summary>For the Roslyn testing framework: no reference package, every assembly given directly.</summary>
    public static readonly ReferenceAssemblies None = new("net10.0");

    private static ImmutableArray<MetadataReference> Load()
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => !Path.GetFileName(p).StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal)
                && !Path.GetFileName(p).StartsWith("GenRay", StringComparison.Ordinal))
            .ToList();
        paths.Add(typeof(RemoteAttribute).Assembly.Location);
        paths.Add(typeof(Ray).Assembly.Location);
        return [.. paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }
}
