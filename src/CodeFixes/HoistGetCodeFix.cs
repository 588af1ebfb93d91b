using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using GenRay.Generator.Analyzers;
using GenRay.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Simplification;

namespace GenRay.CodeFixes;

/// <summary>
/// GENRAY0020: moves <c>Ray.Get</c> out of the loop that submits the work. The loop collects the refs; one
/// <c>Ray.Get</c> on the list after it waits for all of them, and the code that used each value runs over the
/// results in the same order:
/// <code>
/// for (...) { results.Add(Ray.Get(Work.Remote.F(i))); }
/// // becomes
/// var refs = new List&lt;ObjectRef&lt;int&gt;&gt;();
/// for (...) { refs.Add(Work.Remote.F(i)); }
/// foreach (var result in Ray.Get(refs)) { results.Add(result); }
/// </code>
/// </summary>
/// <remarks>
/// Offered only when that keeps the program's meaning: the Get wraps the stub call itself, sits in a statement
/// of the loop body, and what runs after it in the body (which moves after the loop) uses nothing that changes
/// per iteration, jumps nowhere, and writes nothing the rest of the loop reads.
/// </remarks>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(HoistGetCodeFix)), Shared]
public sealed class HoistGetCodeFix : CodeFixProvider
{
    private const string EquivalenceKey = "GenRay.HoistGet";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.GetInSubmittingLoop.Id);

    // Each fix restructures a whole loop; applying several at once could interleave, so no fix-all.
    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null
            || root.FindNode(context.Span, getInnermostNodeForTie: true) is not InvocationExpressionSyntax getSyntax
            || Plan(getSyntax, model, context.CancellationToken) is not { } plan)
        {
            return;
        }
        var fixedRoot = Rewrite(root, plan);
        if (fixedRoot is null)
        {
            return;
        }
        context.RegisterCodeFix(
            CodeAction.Create("Get the results once, after the loop", _ => Task.FromResult(context.Document.WithSyntaxRoot(fixedRoot)), EquivalenceKey),
            context.Diagnostics);
    }

    private sealed record HoistPlan(
        StatementSyntax Loop,
        InvocationExpressionSyntax Get,
        ExpressionSyntax Stub,
        ITypeSymbol RefType,
        bool HasValue,
        IReadOnlyList<StatementSyntax> Before,
        IReadOnlyList<StatementSyntax> Moved,
        string RefsName,
        string ValueName,
        string ListType);

    private static HoistPlan? Plan(InvocationExpressionSyntax getSyntax, SemanticModel model, System.Threading.CancellationToken ct)
    {
        if (RaySymbols.TryCreate(model.Compilation) is not { } symbols
            || model.GetOperation(getSyntax, ct) is not IInvocationOperation get
            || LoopScope.Enclosing(get) is not { IsStatement: true } loop
            || loop.Syntax is not StatementSyntax loopSyntax
            || loop.Syntax.Parent is not (BlockSyntax or GlobalStatementSyntax)
            || GetInLoopAnalyzer.FindSubmission(get, loop, symbols) is not { } stub
            || Operations.Unwrap(get.Arguments[0].Value) != stub
            || stub.Syntax is not ExpressionSyntax stubSyntax
            || stub.Type is null)
        {
            return null;
        }
        var body = loopSyntax switch
        {
            ForStatementSyntax f => f.Statement,
            ForEachStatementSyntax f => f.Statement,
            WhileStatementSyntax w => w.Statement,
            _ => null,
        };
        var statement = getSyntax.Ancestors().OfType<StatementSyntax>().FirstOrDefault(s => s.Parent == body || s == body);
        if (body is null || statement is null || (loop.Condition?.Syntax.Span.Contains(getSyntax.Span) ?? false))
        {
            return null;
        }
        var statements = body is BlockSyntax block ? block.Statements.ToList() : [body];
        var index = statements.IndexOf(statement);
        var before = statements.Take(index).ToList();
        var moved = statements.Skip(index).ToList();
        var hasValue = symbols.IsObjectRef(stub.Type) && stub.Type is INamedTypeSymbol { TypeArguments.Length: 1 };
        if (!hasValue && (moved.Count > 1 || statement is not ExpressionStatementSyntax { Expression: var e } || e != getSyntax))
        {
            return null;
        }
        if (!MovesSafely(moved, before, loopSyntax, body, stubSyntax, loop, model, ct))
        {
            return null;
        }
        var names = new HashSet<string>(loopSyntax.Ancestors().OfType<MemberDeclarationSyntax>().FirstOrDefault()?.DescendantTokens()
            .Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText) ?? []);
        names.UnionWith(model.LookupSymbols(loopSyntax.SpanStart).Select(s => s.Name));
        var listType = $"global::System.Collections.Generic.List<{stub.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)}>";
        return new HoistPlan(loopSyntax, getSyntax, stubSyntax, stub.Type, hasValue, before, moved,
            Unique("refs", names), Unique("result", names), listType);
    }

    /// <summary>Whether the statements from the Get on can run after the loop, over the results, with the same effect.</summary>
    private static bool MovesSafely(List<StatementSyntax> moved, List<StatementSyntax> before, StatementSyntax loopSyntax, StatementSyntax body,
        ExpressionSyntax stub, LoopScope loop, SemanticModel model, System.Threading.CancellationToken ct)
    {
        var movedNodes = moved.SelectMany(s => s.DescendantNodesAndSelf()).Where(n => !stub.Span.Contains(n.Span)).ToList();
        if (movedNodes.Any(n => n is BreakStatementSyntax or ContinueStatementSyntax or ReturnStatementSyntax or YieldStatementSyntax
            or GotoStatementSyntax or ThrowStatementSyntax or ThrowExpressionSyntax))
        {
            return false;
        }
        var movedSpans = moved.Select(s => s.FullSpan).ToList();
        bool DeclaredInMoved(ISymbol s) => s.DeclaringSyntaxReferences.Any(r => movedSpans.Any(m => m.Contains(r.Span)));

        var written = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (var node in movedNodes.OfType<IdentifierNameSyntax>())
        {
            var symbol = model.GetSymbolInfo(node, ct).Symbol;
            if (symbol is null || DeclaredInMoved(symbol))
            {
                continue;
            }
            // A per-iteration variable (the loop variable, a local of the body) has no value after the loop.
            if (loop.Declares(symbol))
            {
                return false;
            }
            if (IsWrite(node))
            {
                written.Add(symbol);
            }
        }
        if (written.Count == 0)
        {
            return true;
        }
        // What stays in the loop must not read what the moved code writes: it would see the old values.
        var staying = before.SelectMany(s => s.DescendantNodesAndSelf())
            .Concat(stub.DescendantNodesAndSelf())
            .Concat(loopSyntax.ChildNodes().Where(n => n != body).SelectMany(n => n.DescendantNodesAndSelf()));
        return !staying.OfType<IdentifierNameSyntax>().Any(n => model.GetSymbolInfo(n, ct).Symbol is { } s && written.Contains(s));
    }

    private static bool IsWrite(IdentifierNameSyntax node)
    {
        SyntaxNode target = node;
        while (target.Parent is MemberAccessExpressionSyntax access && access.Name == target)
        {
            target = access;
        }
        return target.Parent switch
        {
            AssignmentExpressionSyntax assignment => assignment.Left == target,
            PrefixUnaryExpressionSyntax or PostfixUnaryExpressionSyntax => true,
            ArgumentSyntax argument => !argument.RefKindKeyword.IsKind(SyntaxKind.None),
            _ => false,
        };
    }

    private static SyntaxNode? Rewrite(SyntaxNode root, HoistPlan plan)
    {
        var newline = root.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)).ToString() is { Length: > 0 } nl ? nl : "\n";
        var indent = Indentation(plan.Loop);
        var bodyIndent = plan.Moved[0] is var first && Indentation(first) is { Length: > 0 } inner && inner.Length > indent.Length ? inner : indent + "    ";

        var declaration = SyntaxFactory.ParseStatement($"var {plan.RefsName} = new {plan.ListType}();{newline}")
            .WithLeadingTrivia(plan.Loop.GetLeadingTrivia())
            .WithAdditionalAnnotations(Simplifier.Annotation);
        var add = SyntaxFactory.ParseStatement($"{plan.RefsName}.Add({plan.Stub});")
            .WithLeadingTrivia(plan.Moved[0].GetLeadingTrivia())
            .WithTrailingTrivia(plan.Moved[plan.Moved.Count - 1].GetTrailingTrivia());
        var loop = plan.Loop.WithLeadingTrivia(SyntaxFactory.Whitespace(indent));
        loop = loop.ReplaceNode(Body(loop), NewBody(Body(loop), plan, add));
        var after = SyntaxFactory.ParseStatement(AfterLoop(plan, indent, bodyIndent, newline));

        if (plan.Loop.Parent is BlockSyntax block)
        {
            var statements = block.Statements;
            var index = statements.IndexOf(plan.Loop);
            statements = statements.RemoveAt(index).InsertRange(index, [declaration, loop, after]);
            return root.ReplaceNode(block, block.WithStatements(statements));
        }
        if (plan.Loop.Parent is GlobalStatementSyntax global && global.Parent is CompilationUnitSyntax unit)
        {
            var members = unit.Members;
            var index = members.IndexOf(global);
            members = members.RemoveAt(index).InsertRange(index,
                [SyntaxFactory.GlobalStatement(declaration), global.WithStatement(loop), SyntaxFactory.GlobalStatement(after)]);
            return root.ReplaceNode(unit, unit.WithMembers(members));
        }
        return null;
    }

    private static StatementSyntax Body(StatementSyntax loop) => loop switch
    {
        ForStatementSyntax f => f.Statement,
        ForEachStatementSyntax f => f.Statement,
        WhileStatementSyntax w => w.Statement,
        _ => throw new System.InvalidOperationException("not a loop the plan accepts"),
    };

    private static StatementSyntax NewBody(StatementSyntax body, HoistPlan plan, StatementSyntax add)
    {
        if (body is not BlockSyntax block)
        {
            return add;
        }
        return block.WithStatements(SyntaxFactory.List(block.Statements.Take(plan.Before.Count).Append(add)));
    }

    /// <summary>The code after the loop: one Get on the list, and the moved statements over its results.</summary>
    private static string AfterLoop(HoistPlan plan, string indent, string bodyIndent, string newline)
    {
        var get = $"{plan.Get.Expression}({plan.RefsName})";
        if (!plan.HasValue)
        {
            return $"{indent}{get};{newline}";
        }
        var valueName = plan.ValueName;
        var moved = plan.Moved.ToList();
        // `var x = Ray.Get(stub);` names the value itself: the foreach variable takes its name and the declaration goes.
        if (moved[0] is LocalDeclarationStatementSyntax { Declaration.Variables: { Count: 1 } variables } && variables[0] is { Initializer.Value: var value } variable
            && value == plan.Get)
        {
            valueName = variable.Identifier.ValueText;
            moved.RemoveAt(0);
        }
        else
        {
            moved[0] = moved[0].ReplaceNode(plan.Get, SyntaxFactory.IdentifierName(valueName).WithTriviaFrom(plan.Get));
        }
        var text = new StringBuilder();
        text.Append($"{indent}foreach (var {valueName} in {get}){newline}{indent}{{{newline}");
        foreach (var statement in moved)
        {
            text.Append(bodyIndent).Append(statement.ToString()).Append(newline);
        }
        return text.Append($"{indent}}}{newline}").ToString();
    }

    private static string Indentation(SyntaxNode node)
    {
        var trivia = node.GetLeadingTrivia();
        return trivia.Count > 0 && trivia[trivia.Count - 1].IsKind(SyntaxKind.WhitespaceTrivia) ? trivia[trivia.Count - 1].ToString() : "";
    }

    private static string Unique(string name, HashSet<string> taken)
    {
        var candidate = name;
        for (var i = 2; taken.Contains(candidate); i++)
        {
            candidate = name + i;
        }
        taken.Add(candidate);
        return candidate;
    }
}
