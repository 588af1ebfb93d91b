using System.Linq;
using GenRay.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace GenRay.Generator.Analyzers;

/// <summary>
/// GENRAY0022, Ray's "passing the same large argument by value repeatedly": a stub called in a loop with the same
/// large value each time copies it into every call; <c>Ray.Put</c> once and passing the ref stores it once.
/// </summary>
/// <remarks>
/// Sizes are not known at compile time, so "large" is decided by shape: arrays, collections and
/// <c>Memory&lt;T&gt;</c>, whose size grows with the data. Strings (names, paths), scalars, structs and user
/// classes are usually small and are not reported, nor are collections of refs or actor handles, which are ids.
/// "The same value" is a local, parameter, field or property declared outside the loop and not assigned in it.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LargeValueInLoopAnalyzer : RayInvocationAnalyzer
{
    /// <summary>Creates the analyzer.</summary>
    public LargeValueInLoopAnalyzer() : base(DiagnosticDescriptors.LargeValueInLoop)
    {
    }

    private protected override void Analyze(OperationAnalysisContext context, IInvocationOperation call, RaySymbols symbols)
    {
        if (!symbols.IsStub(call.TargetMethod) || LoopScope.Enclosing(call) is not { } loop)
        {
            return;
        }
        foreach (var argument in call.Arguments)
        {
            if (argument.IsImplicit || !symbols.IsArg(argument.Parameter?.Type))
            {
                continue;
            }
            // The Arg<T> conversion's operand is what the caller wrote; a ref is passed by reference already.
            var written = argument.Value is IConversionOperation conversion ? conversion.Operand : argument.Value;
            if (symbols.IsObjectRef(written.Type) || !IsLarge(written.Type, symbols) || !loop.IsInvariant(written)
                || Operations.ReferencedSymbol(written) is not { } symbol)
            {
                continue;
            }
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.LargeValueInLoop, argument.Syntax.GetLocation(),
                symbol.Name, written.Type!.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
                symbols.StubDisplay(call.TargetMethod), RefName(symbol.Name)));
        }
    }

    internal static bool IsLarge(ITypeSymbol? type, RaySymbols symbols)
    {
        switch (type)
        {
            case null:
            case { SpecialType: SpecialType.System_String }:
                return false;
            case IArrayTypeSymbol array:
                return !IsId(array.ElementType, symbols);
            case INamedTypeSymbol { Name: "Memory" or "ReadOnlyMemory", TypeArguments.Length: 1, ContainingNamespace.Name: "System" }:
                return true;
        }
        if (!type.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_Collections_IEnumerable))
        {
            return false;
        }
        var element = type.AllInterfaces
            .FirstOrDefault(i => i.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T)?.TypeArguments[0];
        return element is null || !IsId(element, symbols);
    }

    private static bool IsId(ITypeSymbol type, RaySymbols symbols) => symbols.IsObjectRef(type) || symbols.IsActorHandle(type);

    private static string RefName(string name)
    {
        var trimmed = name.TrimStart('_');
        if (trimmed.Length == 0)
        {
            return "valueRef";
        }
        return char.ToLowerInvariant(trimmed[0]) + trimmed.Substring(1) + "Ref";
    }
}
