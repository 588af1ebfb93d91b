using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GenRay.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GenRay.CodeFixes;

/// <summary>
/// GENRAY0001: adds <c>partial</c> to the type that holds [Remote] members and to every enclosing type that lacks
/// it, in one go — the generator reports one diagnostic per type, and fixing them one at a time helps nobody.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddPartialCodeFix)), Shared]
public sealed class AddPartialCodeFix : CodeFixProvider
{
    private const string EquivalenceKey = "GenRay.AddPartial";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.TypeMustBePartial.Id);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }
        var node = root.FindNode(context.Span, getInnermostNodeForTie: true);
        var types = node.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().Where(t => !IsPartial(t)).ToImmutableArray();
        if (types.IsEmpty)
        {
            return;
        }
        var title = types.Length == 1
            ? $"Make '{types[0].Identifier.ValueText}' partial"
            : $"Make '{types[0].Identifier.ValueText}' and its enclosing types partial";
        foreach (var diagnostic in context.Diagnostics)
        {
            context.RegisterCodeFix(
                CodeAction.Create(title, ct => Task.FromResult(Apply(context.Document, root, types, ct)), EquivalenceKey),
                diagnostic);
        }
    }

    private static Document Apply(Document document, SyntaxNode root, ImmutableArray<TypeDeclarationSyntax> types, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return document.WithSyntaxRoot(root.ReplaceNodes(types, (_, rewritten) => AddPartial(rewritten)));
    }

    private static bool IsPartial(TypeDeclarationSyntax type) => type.Modifiers.Any(SyntaxKind.PartialKeyword);

    // 'partial' must come last, right before the keyword: `public static partial class`.
    private static TypeDeclarationSyntax AddPartial(TypeDeclarationSyntax type)
    {
        var partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        if (type.Modifiers.Count > 0)
        {
            return type.WithModifiers(type.Modifiers.Add(partial));
        }
        // No modifiers: the keyword's leading trivia (indentation, comments) moves to 'partial'.
        return type
            .WithKeyword(type.Keyword.WithLeadingTrivia())
            .WithModifiers(SyntaxFactory.TokenList(partial.WithLeadingTrivia(type.Keyword.LeadingTrivia)));
    }
}
