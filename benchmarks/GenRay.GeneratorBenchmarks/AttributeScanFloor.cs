using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GenRay.GeneratorBenchmarks;

/// <summary>
/// The least any [Remote] generator pays: ForAttributeWithMetadataName with transforms that do nothing. On each
/// edit Roslyn re-binds every [Remote] declaration against the new compilation (a change in one file can change
/// what another file's attribute means), so this floor grows with the number of remotes; the benchmark prints
/// it beside GenRay's own time to show how much of that time is GenRay's.
/// </summary>
internal sealed class AttributeScanFloor : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var methods = context.SyntaxProvider.ForAttributeWithMetadataName("GenRay.RemoteAttribute",
            static (node, _) => node is MethodDeclarationSyntax, static (_, _) => 0);
        var classes = context.SyntaxProvider.ForAttributeWithMetadataName("GenRay.RemoteAttribute",
            static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax, static (_, _) => 0);
        context.RegisterSourceOutput(methods.Collect().Combine(classes.Collect()), static (_, _) => { });
    }
}
