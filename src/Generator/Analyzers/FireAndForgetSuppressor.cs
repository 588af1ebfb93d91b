using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GenRay.Generator.Analyzers;

/// <summary>
/// Silences CS4014 ("this call is not awaited") for remote calls. An <c>ObjectRef</c> is awaitable, so the
/// compiler warns when an async method drops one; but dropping the ref of a remote call is Ray's
/// fire-and-forget (<c>actor.Add(5);</c>): the work always runs, and only the result is ignored.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FireAndForgetSuppressor : DiagnosticSuppressor
{
    internal static readonly SuppressionDescriptor Rule = new(
        id: "GENRAYSPR0001",
        suppressedDiagnosticId: "CS4014",
        justification: "A remote call runs whether or not its ObjectRef is awaited; dropping the ref is fire-and-forget.");

    /// <inheritdoc />
    public override ImmutableArray<SuppressionDescriptor> SupportedSuppressions { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc />
    public override void ReportSuppressions(SuppressionAnalysisContext context)
    {
        foreach (var diagnostic in context.ReportedDiagnostics)
        {
            var tree = diagnostic.Location.SourceTree;
            if (tree is null)
            {
                continue;
            }
            var node = tree.GetRoot(context.CancellationToken).FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var model = context.GetSemanticModel(tree);
            var type = model.GetTypeInfo(node, context.CancellationToken).Type;
            if (IsObjectRef(type))
            {
                context.ReportSuppression(Suppression.Create(Rule, diagnostic));
            }
        }
    }

    private static bool IsObjectRef(ITypeSymbol? type) =>
        type is INamedTypeSymbol named
        && named.Name == "ObjectRef"
        && named.ContainingNamespace is { Name: "GenRay", ContainingNamespace.IsGlobalNamespace: true };
}
