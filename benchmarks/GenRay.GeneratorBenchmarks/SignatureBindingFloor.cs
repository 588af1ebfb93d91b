using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GenRay.GeneratorBenchmarks;

/// <summary>
/// The least any generator of typed stubs pays: the attribute scan plus binding what a stub's signature needs
/// (parameter types and defaults, return types, the containing type's attributes) in the new compilation — the
/// symbols of an edited compilation are new, so this binding is redone on every edit whatever the generator
/// caches. GenRay's time above this is its own: building the models and comparing them with the last run's.
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
