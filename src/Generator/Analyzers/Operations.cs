using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GenRay.Generator.Analyzers;

/// <summary>Small questions about operation trees that the usage analyzers share.</summary>
internal static class Operations
{
    /// <summary>The operand under implicit and explicit conversions (and the <c>Arg&lt;T&gt;</c> one every stub argument has).</summary>
    public static IOperation Unwrap(IOperation operation)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }
        return operation;
    }

    /// <summary>The local, parameter, field or property a plain reference names, or null for anything computed.</summary>
    public static ISymbol? ReferencedSymbol(IOperation operation) => Unwrap(operation) switch
    {
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation parameter => parameter.Parameter,
        IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field => field.Field,
        IPropertyReferenceOperation { Instance: null or IInstanceReferenceOperation, Arguments.Length: 0 } property => property.Property,
        _ => null,
    };

    public static bool IsReferenceTo(IOperation operation, ISymbol symbol) =>
        ReferencedSymbol(operation) is { } referenced && SymbolEqualityComparer.Default.Equals(referenced, symbol);

    /// <summary>Whether <paramref name="operation"/> is <paramref name="ancestor"/> or inside it.</summary>
    public static bool IsWithin(IOperation operation, IOperation ancestor)
    {
        for (var current = operation; current is not null; current = current.Parent)
        {
            if (current == ancestor)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The innermost method, local function or lambda whose body holds the operation.</summary>
    public static IOperation? EnclosingFunction(IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return current;
            }
        }
        return null;
    }

    /// <summary>Whether the code holding the operation is async: an async lambda, local function or method.</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="containingMethod">The method the analysis context is in.</param>
    /// <param name="description">What the function is, for messages: <c>method 'Run'</c>, <c>lambda</c>.</param>
    public static bool IsInAsyncCode(IOperation operation, ISymbol containingMethod, out string description)
    {
        switch (EnclosingFunction(operation))
        {
            case IAnonymousFunctionOperation lambda:
                description = "lambda";
                return lambda.Symbol.IsAsync;
            case ILocalFunctionOperation local:
                description = $"local function '{local.Symbol.Name}'";
                return local.Symbol.IsAsync;
        }
        // A program's Main (top-level statements included) has no event loop or request thread to starve:
        // blocking it is how a console program waits, even when it also awaits.
        if (containingMethod is IMethodSymbol { IsAsync: true, IsStatic: true, Name: "Main" or WellKnownMemberNames.TopLevelStatementsEntryPointMethodName })
        {
            description = "";
            return false;
        }
        description = $"method '{containingMethod.Name}'";
        return containingMethod is IMethodSymbol { IsAsync: true };
    }

    /// <summary>Whether the symbol is assigned, incremented, or passed by ref/out anywhere inside <paramref name="scope"/>.</summary>
    public static bool IsWrittenWithin(ISymbol symbol, IOperation scope)
    {
        foreach (var operation in scope.Descendants())
        {
            var target = operation switch
            {
                IAssignmentOperation assignment => assignment.Target,
                IIncrementOrDecrementOperation increment => increment.Target,
                IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } argument => argument.Value,
                _ => null,
            };
            if (target is not null && IsReferenceTo(target, symbol))
            {
                return true;
            }
            if (operation is IDeconstructionAssignmentOperation deconstruction && deconstruction.Target.Descendants().Any(t => IsReferenceTo(t, symbol)))
            {
                return true;
            }
        }
        return false;
    }
}
