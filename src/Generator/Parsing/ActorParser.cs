using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GenRay.Generator.Diagnostics;
using GenRay.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenRay.Generator.Parsing;

/// <summary>Builds the model of a [Remote] class (an actor): its constructors and public methods.</summary>
internal static class ActorParser
{
    /// <summary>Members of <c>ActorHandle&lt;T&gt;</c> (and object) that would hide a generated extension method.</summary>
    private static readonly HashSet<string> s_handleMembers = ["Id", "Equals", "GetHashCode", "ToString", "GetType"];

    public static ParseResult<ActorClass> Parse(GeneratorAttributeSyntaxContext context, CancellationToken ct)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var diagnostics = new List<DiagnosticInfo>();
        var location = type.Locations.FirstOrDefault();
        var name = SymbolFacts.DisplayName(type);
        var ok = true;

        if (type.TypeKind != TypeKind.Class)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedContainingType, location, name, "type kind", type.TypeKind.ToString()));
            return new ParseResult<ActorClass>(null, diagnostics.ToEquatableArray());
        }
        if (type.IsStatic || type.IsAbstract)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ActorClassKind, location, name, type.IsStatic ? "static" : "abstract"));
            ok = false;
        }
        var accessibility = SymbolFacts.EffectiveAccessibility(type);
        if (accessibility is not (Accessibility.Public or Accessibility.Internal))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InaccessibleType, location, name,
                accessibility.ToString().ToLowerInvariant() + " (or inside a type that is)"));
            ok = false;
        }
        var described = SymbolFacts.Describe(type, $"actor {name}", diagnostics, ct);
        var options = OptionsParser.Parse(context.Attributes[0], forActor: true, name, location, diagnostics);

        var constructors = new List<ActorConstructor>();
        var wireTypes = new List<ITypeSymbol>();
        foreach (var constructor in type.InstanceConstructors.Where(c => c.DeclaredAccessibility == Accessibility.Public))
        {
            ct.ThrowIfCancellationRequested();
            var parameters = SymbolFacts.Parameters(constructor, $"{name} constructor", diagnostics);
            if (parameters is not null)
            {
                var id = "(" + string.Join(", ", constructor.Parameters.Select(p => p.Type.ToDisplayString())) + ")";
                constructors.Add(new ActorConstructor(parameters.ToEquatableArray(), $"Constructor{constructors.Count}", id));
                wireTypes.AddRange(SymbolFacts.WireTypes(constructor));
            }
        }
        if (constructors.Count == 0 && !type.IsStatic && !type.IsAbstract
            && !type.InstanceConstructors.Any(c => c.DeclaredAccessibility == Accessibility.Public))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ActorNeedsConstructor, location, name));
            ok = false;
        }

        var methods = new List<RemoteSignature>();
        var publicMethods = PublicInstanceMethods(type).ToList();
        foreach (var method in publicMethods)
        {
            ct.ThrowIfCancellationRequested();
            var member = $"{name}.{method.Name}";
            var methodLocation = method.Locations.FirstOrDefault() ?? location;
            if (s_handleMembers.Contains(method.Name))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NameClash, methodLocation, member,
                    $"ActorHandle<{type.Name}>.{method.Name}, which would hide the generated call"));
                continue;
            }
            if (method.IsGenericMethod)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericMethod, methodLocation, member));
                continue;
            }
            var parameters = SymbolFacts.Parameters(method, member, diagnostics);
            if (parameters is null || !SymbolFacts.CheckReturn(method, member, diagnostics) || SymbolFacts.Return(method) is not { } returned)
            {
                continue;
            }
            var id = SymbolFacts.MethodId(method);
            wireTypes.AddRange(SymbolFacts.WireTypes(method));
            var overloaded = publicMethods.Count(m => m.Name == method.Name) > 1;
            methods.Add(new RemoteSignature(method.Name, parameters.ToEquatableArray(), returned.Kind, returned.ResultType, id, member,
                SymbolFacts.InvocationName(method.Name, id, overloaded)));
        }

        if (!ok || described is null)
        {
            return new ParseResult<ActorClass>(null, diagnostics.ToEquatableArray());
        }
        var extensionsName = string.Join("_", described.Chain.Select(t => t.Name)) + "RemoteExtensions";
        var (types, _) = TypeShapes.Analyze(wireTypes, ct);
        var model = new ActorClass(described, accessibility == Accessibility.Public ? "public" : "internal",
            constructors.ToEquatableArray(), methods.ToEquatableArray(), options, types, extensionsName,
            SymbolFacts.HintName($"{described.MetadataName}.Actor"));
        return new ParseResult<ActorClass>(model, diagnostics.ToEquatableArray());
    }

    /// <summary>
    /// Public instance methods of the class and its base classes (not object's), each once: an override is
    /// reached through the method it overrides, so virtual dispatch picks the right body.
    /// </summary>
    internal static IEnumerable<IMethodSymbol> PublicInstanceMethods(INamedTypeSymbol type)
    {
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary, IsStatic: false, DeclaredAccessibility: Accessibility.Public, IsOverride: false } method
                    && !IsHiddenBy(method, type))
                {
                    yield return method;
                }
            }
        }
    }

    // A base method hidden with `new` by a more derived one is not callable through the derived type's name.
    private static bool IsHiddenBy(IMethodSymbol method, INamedTypeSymbol type)
    {
        if (SymbolEqualityComparer.Default.Equals(method.ContainingType, type))
        {
            return false;
        }
        for (var current = type; current is not null && !SymbolEqualityComparer.Default.Equals(current, method.ContainingType); current = current.BaseType)
        {
            if (current.GetMembers(method.Name).OfType<IMethodSymbol>().Any(m => !m.IsOverride && m.Parameters.Length == method.Parameters.Length
                && m.Parameters.Zip(method.Parameters, (a, b) => SymbolEqualityComparer.Default.Equals(a.Type, b.Type)).All(same => same)))
            {
                return true;
            }
        }
        return false;
    }
}
