using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using GenRay.Generator.Diagnostics;
using GenRay.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GenRay.Generator.Parsing;

/// <summary>Turns symbols into the plain values the models hold, checking what generated code relies on.</summary>
internal static class SymbolFacts
{
    public const string RemoteAttributeName = "GenRay.RemoteAttribute";

    /// <summary>Fully qualified, with nullable annotations: what generated code writes for a type.</summary>
    public static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    // Stable method ids: namespace-qualified type and parameter types, no nullable annotations (they do not change the call).
    private static readonly SymbolDisplayFormat s_idFormat = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
        memberOptions: SymbolDisplayMemberOptions.IncludeContainingType | SymbolDisplayMemberOptions.IncludeParameters,
        parameterOptions: SymbolDisplayParameterOptions.IncludeType,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

    private static readonly SymbolDisplayFormat s_displayFormat = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypes,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

    // The transforms run for every [Remote] declaration on every edit, so type tests compare names structurally
    // instead of formatting display strings.
    public static bool IsActor(INamedTypeSymbol type) => HasRemoteAttribute(type);

    public static bool HasRemoteAttribute(ISymbol symbol) =>
        symbol.GetAttributes().Any(a => IsNamed(a.AttributeClass, "RemoteAttribute", "GenRay"));

    /// <summary>Whether <paramref name="type"/> is <c>{ns}.{name}</c>, namespace given outermost first.</summary>
    public static bool IsNamed(ITypeSymbol? type, string name, params string[] ns) =>
        type is not null && type.Name == name && type.ContainingType is null && IsNamespace(type.ContainingNamespace, ns);

    /// <summary>Whether <paramref name="symbol"/> is the namespace <c>a.b.c</c> given as <c>["a", "b", "c"]</c>.</summary>
    public static bool IsNamespace(INamespaceSymbol? symbol, params string[] ns)
    {
        for (var i = ns.Length - 1; i >= 0; i--)
        {
            if (symbol is null || symbol.IsGlobalNamespace || symbol.Name != ns[i])
            {
                return false;
            }
            symbol = symbol.ContainingNamespace;
        }
        return symbol is { IsGlobalNamespace: true };
    }

    public static string DisplayName(INamedTypeSymbol type) =>
        s_described.TryGetValue(type, out var known) ? known.DisplayName : type.ToDisplayString(s_displayFormat);

    /// <summary>A type as a person writes it: <c>List&lt;Job&gt;</c>, <c>Func&lt;int&gt;</c>.</summary>
    public static string DisplayType(ITypeSymbol type) => type.ToDisplayString(s_displayFormat);

    public static string MethodId(IMethodSymbol method) => method.ToDisplayString(s_idFormat);

    /// <summary>
    /// Describes <paramref name="type"/> and its enclosing types, reporting what stops generated code from
    /// joining them: a type that is not partial, generic, or not a class/struct/record.
    /// </summary>
    public static ContainingType? Describe(INamedTypeSymbol type, string member, List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        if (s_described.TryGetValue(type, out var known))
        {
            return known;
        }
        var described = DescribeChain(type, member, diagnostics, ct);
        if (described is not null)
        {
            s_described.GetValue(type, _ => described);
        }
        return described;
    }

    /// <summary>
    /// Types already described in the current compilation. The transform runs once per [Remote] method on every
    /// edit, and the methods of one class share its description; this keeps it to once per class. Keys are weak
    /// (a compilation's symbols die with it) and values are plain strings, so nothing is kept alive. Only types
    /// without errors are kept: their diagnostics name the member being parsed.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<INamedTypeSymbol, ContainingType> s_described = new();

    private static ContainingType? DescribeChain(INamedTypeSymbol type, string member, List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        var ok = true;
        var chain = new List<TypeDeclaration>();
        for (var current = type; current is not null; current = current.ContainingType)
        {
            ct.ThrowIfCancellationRequested();
            var location = current.Locations.FirstOrDefault();
            if (current.TypeKind is not (TypeKind.Class or TypeKind.Struct))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedContainingType, location,
                    member, current.TypeKind.ToString().ToLowerInvariant(), DisplayName(current)));
                ok = false;
                continue;
            }
            if (current.IsGenericType)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericContainingType, location, member, DisplayName(current)));
                ok = false;
            }
            if (!IsPartial(current, ct))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TypeMustBePartial, location, DisplayName(current), member));
                ok = false;
            }
            chain.Insert(0, new TypeDeclaration(Keyword(current), current.Name));
        }
        if (!ok)
        {
            return null;
        }
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
        return new ContainingType(
            ns,
            chain.ToEquatableArray(),
            type.ToDisplayString(TypeFormat),
            DisplayName(type),
            MetadataName(type));
    }

    public static bool IsPartial(INamedTypeSymbol type, CancellationToken ct)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(ct) is TypeDeclarationSyntax declaration
                && declaration.Modifiers.Any(m => m.IsKind(SyntaxKind.PartialKeyword)))
            {
                return true;
            }
        }
        return false;
    }

    private static string Keyword(INamedTypeSymbol type) => (type.IsRecord, type.TypeKind) switch
    {
        (true, TypeKind.Struct) => "record struct",
        (true, _) => "record",
        (false, TypeKind.Struct) => "struct",
        _ => "class",
    };

    private static string MetadataName(INamedTypeSymbol type)
    {
        var names = new List<string>();
        for (var current = type; current is not null; current = current.ContainingType)
        {
            names.Insert(0, current.MetadataName);
        }
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() + "." : "";
        return ns + string.Join("+", names);
    }

    /// <summary>Whether every type in the chain is visible to a top-level class of the same assembly.</summary>
    public static Accessibility EffectiveAccessibility(INamedTypeSymbol type)
    {
        var result = Accessibility.Public;
        for (var current = type; current is not null; current = current.ContainingType)
        {
            var own = current.DeclaredAccessibility;
            if (own is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
            {
                return own;
            }
            if (own != Accessibility.Public)
            {
                result = Accessibility.Internal;
            }
        }
        return result;
    }

    /// <summary>The accessibility a stub gets: the method's own, except that a nested class cannot expose a
    /// private member to its container, so anything not public becomes internal.</summary>
    public static string StubAccessibility(Accessibility accessibility) =>
        accessibility == Accessibility.Public ? "public" : "internal";

    /// <summary>
    /// Reads the parameters of a remote method or constructor, reporting those a remote call cannot pass.
    /// Returns null when any is unsupported.
    /// </summary>
    public static List<Parameter>? Parameters(IMethodSymbol method, string member, List<DiagnosticInfo> diagnostics)
    {
        var ok = true;
        var result = new List<Parameter>();
        foreach (var parameter in method.Parameters)
        {
            var location = parameter.Locations.FirstOrDefault() ?? method.Locations.FirstOrDefault();
            if (parameter.RefKind != RefKind.None)
            {
                var kind = parameter.RefKind switch
                {
                    RefKind.Ref => "ref",
                    RefKind.Out => "out",
                    RefKind.In => "in",
                    _ => "ref readonly",
                };
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ParameterByReference, location, parameter.Name, member, kind));
                ok = false;
                continue;
            }
            if (UnsupportedTypeReason(parameter.Type) is { } reason)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedParameterType, location,
                    parameter.Name, member, parameter.Type.ToDisplayString(), reason));
                ok = false;
                continue;
            }
            var type = parameter.Type.ToDisplayString(TypeFormat);
            var name = SyntaxFacts.GetKeywordKind(parameter.Name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(parameter.Name) != SyntaxKind.None
                ? "@" + parameter.Name
                : parameter.Name;
            var isToken = IsNamed(parameter.Type, "CancellationToken", "System", "Threading");
            result.Add(new Parameter(name, "_" + parameter.Name, type, DefaultValue(parameter, type), isToken));
        }
        return ok ? result : null;
    }

    /// <summary>Why a value of this type can never be an argument or result of a remote call, or null if it can be.</summary>
    public static string? UnsupportedTypeReason(ITypeSymbol type) => type switch
    {
        { TypeKind: TypeKind.Pointer or TypeKind.FunctionPointer } => "pointers point into one process's memory",
        { TypeKind: TypeKind.Dynamic } => "'dynamic' has no type the wire format can describe; use a concrete type",
        { IsRefLikeType: true } => "a ref struct lives on one thread's stack; pass an array or another heap type instead",
        _ => null,
    };

    public static (ReturnKind Kind, string ResultType)? Return(IMethodSymbol method)
    {
        if (method.ReturnsVoid)
        {
            return (ReturnKind.Void, UnitType);
        }
        var type = method.ReturnType;
        if (type is INamedTypeSymbol named && IsNamespace(named.ContainingNamespace, "System", "Threading", "Tasks"))
        {
            switch (named.MetadataName)
            {
                case "Task":
                    return (ReturnKind.Task, UnitType);
                case "ValueTask":
                    return (ReturnKind.ValueTask, UnitType);
                case "Task`1":
                    return (ReturnKind.TaskOfT, named.TypeArguments[0].WithNullableAnnotation(named.TypeArgumentNullableAnnotations[0]).ToDisplayString(TypeFormat));
                case "ValueTask`1":
                    return (ReturnKind.ValueTaskOfT, named.TypeArguments[0].WithNullableAnnotation(named.TypeArgumentNullableAnnotations[0]).ToDisplayString(TypeFormat));
            }
        }
        return (ReturnKind.Value, method.ReturnType.WithNullableAnnotation(method.ReturnNullableAnnotation).ToDisplayString(TypeFormat));
    }

    public const string UnitType = "global::GenRay.Internal.Unit";

    /// <summary>The types a call to <paramref name="method"/> sends and receives: its parameters (but the runtime's
    /// CancellationToken) and its result, unwrapped from Task/ValueTask.</summary>
    public static IEnumerable<ITypeSymbol> WireTypes(IMethodSymbol method)
    {
        foreach (var parameter in method.Parameters)
        {
            if (!IsNamed(parameter.Type, "CancellationToken", "System", "Threading") && parameter.RefKind == RefKind.None)
            {
                yield return parameter.Type;
            }
        }
        if (method.MethodKind == MethodKind.Constructor || method.ReturnsVoid)
        {
            yield break;
        }
        var returned = method.ReturnType;
        if (returned is INamedTypeSymbol named && IsNamespace(named.ContainingNamespace, "System", "Threading", "Tasks"))
        {
            if (named.MetadataName is "Task" or "ValueTask")
            {
                yield break;
            }
            if (named.MetadataName is "Task`1" or "ValueTask`1")
            {
                returned = named.TypeArguments[0];
            }
        }
        yield return returned;
    }

    /// <summary>Checks the return type and async-ness; reports and returns false when unsupported.</summary>
    public static bool CheckReturn(IMethodSymbol method, string member, List<DiagnosticInfo> diagnostics)
    {
        var location = method.Locations.FirstOrDefault();
        if (method.IsAsync && method.ReturnsVoid)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AsyncVoid, location, member));
            return false;
        }
        if (method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedReturnType, location,
                member, "ref " + method.ReturnType.ToDisplayString(), "a reference points into one process's memory; return the value"));
            return false;
        }
        var returned = method.ReturnType;
        if (returned is INamedTypeSymbol { IsGenericType: true } named && IsNamespace(named.ContainingNamespace, "System", "Threading", "Tasks")
            && named.MetadataName is "Task`1" or "ValueTask`1")
        {
            returned = named.TypeArguments[0];
        }
        if (!method.ReturnsVoid && UnsupportedTypeReason(returned) is { } reason)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedReturnType, location,
                member, method.ReturnType.ToDisplayString(), reason));
            return false;
        }
        return true;
    }

    /// <summary>The declared default as an expression of the parameter's type, or null when there is none.</summary>
    private static string? DefaultValue(IParameterSymbol parameter, string type)
    {
        if (!parameter.HasExplicitDefaultValue)
        {
            return null;
        }
        var value = parameter.ExplicitDefaultValue;
        if (value is null)
        {
            return $"default({type})";
        }
        var underlying = parameter.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable
            ? nullable.TypeArguments[0]
            : parameter.Type;
        var literal = Literal(value);
        return underlying.TypeKind == TypeKind.Enum ? $"({type})({literal})" : literal;
    }

    /// <summary>A C# literal for a constant value, with the suffix that keeps its type.</summary>
    public static string Literal(object value) => value switch
    {
        string s => SymbolDisplay.FormatLiteral(s, quote: true),
        char c => SymbolDisplay.FormatLiteral(c, quote: true),
        bool b => b ? "true" : "false",
        float f => float.IsNaN(f) ? "float.NaN" : float.IsPositiveInfinity(f) ? "float.PositiveInfinity" : float.IsNegativeInfinity(f) ? "float.NegativeInfinity" : f.ToString("R", CultureInfo.InvariantCulture) + "F",
        double d => double.IsNaN(d) ? "double.NaN" : double.IsPositiveInfinity(d) ? "double.PositiveInfinity" : double.IsNegativeInfinity(d) ? "double.NegativeInfinity" : d.ToString("R", CultureInfo.InvariantCulture) + "D",
        decimal m => m.ToString(CultureInfo.InvariantCulture) + "M",
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        ulong ul => ul.ToString(CultureInfo.InvariantCulture) + "UL",
        uint ui => ui.ToString(CultureInfo.InvariantCulture) + "U",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    // Members every generated invocation class has: a class may not be named like one of its members.
    private static readonly HashSet<string> s_invocationMembers =
        ["Descriptor", "Read", "Register", "Invoke", "WriteArguments", "Id", "Activate", "Submit", "ActorType", "CancellationToken"];

    /// <summary>The invocation class name for a method: its name, made unique (a hash of its id) for overloads and
    /// for names its own members use.</summary>
    public static string InvocationName(string methodName, string id, bool overloaded) =>
        overloaded || s_invocationMembers.Contains(methodName) ? $"{methodName}_{Hash(id)}" : methodName;

    /// <summary>A short stable hash, to tell overloads' generated names apart.</summary>
    public static string Hash(string text)
    {
        unchecked
        {
            var hash = 2166136261u;
            foreach (var c in text)
            {
                hash = (hash ^ c) * 16777619u;
            }
            return hash.ToString("x8", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>A file name for generated source: letters, digits, dots and underscores only.</summary>
    public static string HintName(string text) =>
        new string(text.Select(c => char.IsLetterOrDigit(c) || c is '.' or '_' ? c : '_').ToArray()) + ".g.cs";
}
