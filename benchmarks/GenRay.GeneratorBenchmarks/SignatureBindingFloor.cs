using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GenRay.GeneratorBenchmarks;

/// <summary>
/// What a generator of typed stubs pays when it binds every signature again on each run: the attribute scan plus
/// binding what a stub's signature needs (parameter types and defaults, return types, the containing type's
/// attributes) in the new compilation, whose symbols are all new. GenRay binds them again only when the project's
/// declarations change (an edit to a signature); after a body edit it reuses the signatures of untouched files
/// (see the generator's ParseCache), so this is its yardstick for full runs and signature edits, not body edits.
/// </summary>
internal sealed class SignatureBindingFloor : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var methods = context.SyntaxProvider.ForAttributeWithMetadataName("GenRay.RemoteAttribute",
            static (node, _) => node is MethodDeclarationSyntax, static (c, _) => Bind((IMethodSymbol)c.TargetSymbol));
        var classes = context.SyntaxProvider.ForAttributeWithMetadataName("GenRay.RemoteAttribute",
            static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax, static (c, _) =>
            {
                var bound = 0;
                foreach (var member in ((INamedTypeSymbol)c.TargetSymbol).GetMembers())
                {
                    if (member is IMethodSymbol method)
                    {
                        bound += Bind(method);
                    }
                }
                return bound;
            });
        context.RegisterSourceOutput(methods.Collect().Combine(classes.Collect()), static (_, _) => { });
    }

    private static int Bind(IMethodSymbol method)
    {
        var bound = method.ReturnType.Name.Length + method.ContainingType.GetAttributes().Length;
        foreach (var parameter in method.Parameters)
        {
            bound += parameter.Type.Name.Length + (parameter.HasExplicitDefaultValue ? 1 : 0);
        }
        return bound;
    }
}
