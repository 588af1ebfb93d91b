using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GenRay.Generator.Diagnostics;
using GenRay.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenRay.Generator.Parsing;

/// <summary>Builds the model of a [Remote] static method (a task), or says why it cannot be one.</summary>
internal static class TaskParser
{
    /// <summary>Names the generated <c>Remote</c> class uses itself; a remote method may not take them.</summary>
    public static readonly HashSet<string> ReservedTaskNames = ["With", "TaskStubs", "Invocations"];

    /// <summary>Names an actor's <c>Remote</c> class adds as well.</summary>
    public static readonly HashSet<string> ReservedActorNames = ["New", "ActorFactory", "Activators"];

    public static ParseResult<TaskMethod> Parse(GeneratorAttributeSyntaxContext context, CancellationToken ct)
    {
        var method = (IMethodSymbol)context.TargetSymbol;
        var diagnostics = new List<DiagnosticInfo>();
        var location = method.Locations.FirstOrDefault();
        var containing = method.ContainingType;
        var member = $"{SymbolFacts.DisplayName(containing)}.{method.Name}";

        if (!method.IsStatic)
        {
            // On an actor class every public method is remote already; the actor pipeline handles it.
            if (!SymbolFacts.IsActor(containing))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InstanceMethodOutsideActor, location, member, SymbolFacts.DisplayName(containing)));
            }
            return new ParseResult<TaskMethod>(null, diagnostics.ToEquatableArray());
        }
        if (method.MethodKind != MethodKind.Ordinary)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedContainingType, location,
                method.Name, "method", method.ContainingSymbol.Name));
            return new ParseResult<TaskMethod>(null, diagnostics.ToEquatableArray());
        }

        var ok = true;
        if (method.IsGenericMethod)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericMethod, location, member));
            ok = false;
        }
        var isActor = SymbolFacts.IsActor(containing);
        if (ReservedTaskNames.Contains(method.Name) || (isActor && ReservedActorNames.Contains(method.Name)))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NameClash, location, member,
                $"the generated member '{SymbolFacts.DisplayName(containing)}.Remote.{method.Name}'"));
            ok = false;
        }

        var type = SymbolFacts.Describe(containing, member, diagnostics, ct);
        // Generated registration (a module initializer) must be reachable from the module: no private enclosing type.
        if (SymbolFacts.EffectiveAccessibility(containing) is not (Accessibility.Public or Accessibility.Internal))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InaccessibleType, containing.Locations.FirstOrDefault(),
                SymbolFacts.DisplayName(containing), "private or protected (or inside a type that is)"));
            ok = false;
        }
        var parameters = SymbolFacts.Parameters(method, member, diagnostics);
        ok &= SymbolFacts.CheckReturn(method, member, diagnostics);
        var options = OptionsParser.Parse(context.Attributes[0], forActor: false, member, location, diagnostics);
        if (!ok || type is null || parameters is null || SymbolFacts.Return(method) is not { } returned)
        {
            return new ParseResult<TaskMethod>(null, diagnostics.ToEquatableArray());
        }

        var id = SymbolFacts.MethodId(method);
        var overloaded = containing.GetMembers(method.Name).OfType<IMethodSymbol>()
            .Count(m => m.IsStatic && SymbolFacts.HasRemoteAttribute(m)) > 1;
        var invocationName = SymbolFacts.InvocationName(method.Name, id, overloaded);
        var signature = new RemoteSignature(method.Name, parameters.ToEquatableArray(), returned.Kind, returned.ResultType,
            id, member, invocationName);
        var (types, _) = TypeShapes.Analyze(SymbolFacts.WireTypes(method), ct);
        var model = new TaskMethod(type, SymbolFacts.StubAccessibility(method.DeclaredAccessibility), signature, options, types,
            SymbolFacts.HintName($"{type.MetadataName}.{invocationName}"));
        return new ParseResult<TaskMethod>(model, diagnostics.ToEquatableArray());
    }
}
