using System.Collections.Generic;
using System.Linq;
using GenRay.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace GenRay.Generator.Analyzers;

/// <summary>
/// GENRAY0020, Ray's "calling ray.get in a loop harms parallelism": <c>Ray.Get</c> on a ref submitted in the same
/// iteration makes every call wait for the one before it.
/// </summary>
/// <remarks>
/// Waiting in a loop is sometimes the point, and then this stays quiet: when the next iteration needs the
/// value (it decides whether the loop goes on, or feeds a variable the loop reads again), and when every call
/// goes to the same actor, which runs one caller's calls one at a time anyway (a polling loop).
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class GetInLoopAnalyzer : RayInvocationAnalyzer
{
    /// <summary>Creates the analyzer.</summary>
    public GetInLoopAnalyzer() : base(DiagnosticDescriptors.GetInSubmittingLoop)
    {
    }

    private protected override void Analyze(OperationAnalysisContext context, IInvocationOperation get, RaySymbols symbols)
    {
        if (!symbols.IsRayGet(get.TargetMethod) || get.Arguments.Length == 0 || LoopScope.Enclosing(get) is not { } loop)
        {
            return;
        }
        if (FindSubmission(get, loop, symbols) is not { } stub)
        {
            return;
        }
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GetInSubmittingLoop, get.Syntax.GetLocation(),
            symbols.StubDisplay(stub.TargetMethod)));
    }

    /// <summary>
    /// The stub call, made in this iteration, whose ref this Get waits for — or null when there is none, or
    /// when waiting here is what the loop needs.
    /// </summary>
    internal static IInvocationOperation? FindSubmission(IInvocationOperation get, LoopScope loop, RaySymbols symbols)
    {
        var argument = get.Arguments.First(a => a.Parameter?.Ordinal == 0).Value;
        var stubs = symbols.StubCallsIn(argument).ToList();
        if (stubs.Count == 0 && Operations.Unwrap(argument) is ILocalReferenceOperation local && loop.Declares(local.Local))
        {
            stubs = AssignedValues(local.Local, loop.Operation).SelectMany(symbols.StubCallsIn).ToList();
        }
        if (stubs.Count == 0)
        {
            return null;
        }
        if (stubs.All(s => symbols.IsActorCall(s.TargetMethod) && loop.IsInvariant(s.Arguments[0].Value)))
        {
            return null;
        }
        if (DecidesNextIteration(get, loop))
        {
            return null;
        }
        return stubs[0];
    }

    private static IEnumerable<IOperation> AssignedValues(ILocalSymbol local, IOperation scope)
    {
        foreach (var operation in scope.Descendants())
        {
            switch (operation)
            {
                case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local)
                    && declarator.Initializer is { } initializer:
                    yield return initializer.Value;
                    break;
                case ISimpleAssignmentOperation assignment when Operations.IsReferenceTo(assignment.Target, local):
                    yield return assignment.Value;
                    break;
            }
        }
    }

    /// <summary>
    /// Whether the value is needed before the next iteration can start: it is tested by the loop's condition,
    /// decides a break out of the loop, or is stored in a variable from outside the loop that the loop reads.
    /// </summary>
    private static bool DecidesNextIteration(IInvocationOperation get, LoopScope loop)
    {
        if (loop.Condition is { } condition && Operations.IsWithin(get, condition))
        {
            return true;
        }
        foreach (var ifStatement in get.Syntax.Ancestors().TakeWhile(a => a != loop.Syntax).OfType<IfStatementSyntax>())
        {
            if (ifStatement.Condition.Span.Contains(get.Syntax.Span)
                && ifStatement.DescendantNodes().Any(n => n is BreakStatementSyntax or ReturnStatementSyntax or ThrowStatementSyntax or GotoStatementSyntax))
            {
                return true;
            }
        }

        var holder = get.Parent;
        while (holder is IConversionOperation)
        {
            holder = holder.Parent;
        }
        if (holder is not ISimpleAssignmentOperation assignment || Operations.ReferencedSymbol(assignment.Target) is not { } target || loop.Declares(target))
        {
            return false;
        }
        return loop.Operation.Descendants().Any(o =>
            o is ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation
            && Operations.IsReferenceTo(o, target)
            && !(o.Parent is ISimpleAssignmentOperation write && write.Target == o));
    }
}
