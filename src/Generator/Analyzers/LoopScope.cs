using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GenRay.Generator.Analyzers;

/// <summary>
/// Code that runs once per element or iteration: the body (and condition) of a <c>for</c>, <c>foreach</c>,
/// <c>while</c> or <c>do</c> loop, or a lambda that a LINQ operator or <c>List&lt;T&gt;.ForEach</c> calls for
/// each element, one after another — <c>xs.Select(x =&gt; Work.Remote.F(x))</c> is the C# spelling of Ray's
/// list comprehension. Lambdas handed to anything else (Task.Run, Parallel.For, callbacks) are not loops.
/// </summary>
internal sealed class LoopScope
{
    private LoopScope(IOperation operation, SyntaxNode syntax)
    {
        Operation = operation;
        Syntax = syntax;
    }

    /// <summary>The loop statement, or the per-element lambda.</summary>
    public IOperation Operation { get; }

    public SyntaxNode Syntax { get; }

    /// <summary>A loop statement (which a code fix can restructure), not a lambda.</summary>
    public bool IsStatement => Operation is ILoopOperation;

    /// <summary>The condition tested before or after each iteration, for loops that have one.</summary>
    public IOperation? Condition => Operation switch
    {
        IWhileLoopOperation loop => loop.Condition,
        IForLoopOperation loop => loop.Condition,
        _ => null,
    };

    /// <summary>The innermost loop whose every iteration runs <paramref name="operation"/>, or null outside any.</summary>
    public static LoopScope? Enclosing(IOperation operation)
    {
        var child = operation;
        for (var current = operation.Parent; current is not null; child = current, current = current.Parent)
        {
            switch (current)
            {
                case IForEachLoopOperation loop when child == loop.Collection:
                case IForLoopOperation loop2 when loop2.Before.Contains(child):
                    continue; // evaluated once, before the first iteration
                case ILoopOperation loop:
                    return new LoopScope(loop, loop.Syntax);
                case IAnonymousFunctionOperation lambda:
                    return IsPerElement(lambda) ? new LoopScope(lambda, lambda.Syntax) : null;
                case ILocalFunctionOperation:
                    return null;
            }
        }
        return null;
    }

    /// <summary>Whether the symbol is declared inside this loop, so each iteration has its own.</summary>
    public bool Declares(ISymbol symbol)
    {
        if (symbol is not (ILocalSymbol or IParameterSymbol))
        {
            return false;
        }
        foreach (var reference in symbol.DeclaringSyntaxReferences)
        {
            if (reference.SyntaxTree == Syntax.SyntaxTree && Syntax.Span.Contains(reference.Span))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A value that is the same in every iteration: declared outside the loop and never written inside it.</summary>
    public bool IsInvariant(IOperation value) =>
        Operations.ReferencedSymbol(value) is { } symbol && !Declares(symbol) && !Operations.IsWrittenWithin(symbol, Operation);

    private static bool IsPerElement(IAnonymousFunctionOperation lambda)
    {
        if (lambda.Parent is not IDelegateCreationOperation { Parent: IArgumentOperation { Parent: IInvocationOperation invocation } })
        {
            return false;
        }
        var method = invocation.TargetMethod;
        var type = method.ContainingType;
        if (type is null)
        {
            return false;
        }
        var ns = type.ContainingNamespace?.ToDisplayString();
        return (ns == "System.Linq" && type.Name == "Enumerable")
            || (method.Name == "ForEach" && ((ns == "System.Collections.Generic" && type.Name == "List") || (ns == "System" && type.Name == "Array")));
    }
}
