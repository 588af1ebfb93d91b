using System.Collections.Immutable;
using System.Linq;
using GenRay.Generator.Diagnostics;
using GenRay.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GenRay.Generator.Analyzers;

/// <summary>
/// Reports, while you type, every argument and result type of a remote that cannot cross a process — also when
/// the problem is buried inside a user type, naming the path to it (<c>Job.Work: Func&lt;int&gt;</c>). Ray finds
/// these at run time, on a cluster ("one of the most common problems", ray-project/ray#9200); here they are
/// compile errors. The rules are the serializer generator's own (<see cref="TypeShapes"/>), so what compiles
/// is what GenRay can send.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SerializabilityAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.ParameterCannotCross, DiagnosticDescriptors.ResultCannotCross);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(AnalyzeMethod, SymbolKind.Method);
        context.RegisterSymbolAction(AnalyzeActor, SymbolKind.NamedType);
    }

    private static void AnalyzeMethod(SymbolAnalysisContext context)
    {
        var method = (IMethodSymbol)context.Symbol;
        if (method.IsStatic && method.MethodKind == MethodKind.Ordinary && SymbolFacts.HasRemoteAttribute(method))
        {
            Check(context, method, $"{SymbolFacts.DisplayName(method.ContainingType)}.{method.Name}");
        }
    }

    private static void AnalyzeActor(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (type.TypeKind != TypeKind.Class || !SymbolFacts.IsActor(type))
        {
            return;
        }
        var name = SymbolFacts.DisplayName(type);
        foreach (var constructor in type.InstanceConstructors.Where(c => c.DeclaredAccessibility == Accessibility.Public))
        {
            Check(context, constructor, $"{name} constructor");
        }
        foreach (var method in ActorParser.PublicInstanceMethods(type))
        {
            // A method inherited from a base class in another assembly is reported on the actor class.
            var inSource = method.Locations.Any(l => l.IsInSource);
            Check(context, method, $"{name}.{method.Name}", reportAt: inSource ? null : type.Locations.FirstOrDefault());
        }
    }

    private static void Check(SymbolAnalysisContext context, IMethodSymbol method, string member, Location? reportAt = null)
    {
        foreach (var parameter in method.Parameters)
        {
            // By-reference parameters, pointers, ref structs and dynamic are the generator's (GENRAY0005/0006).
            if (parameter.RefKind != RefKind.None || SymbolFacts.UnsupportedTypeReason(parameter.Type) is not null
                || parameter.Type.ToDisplayString() == "System.Threading.CancellationToken")
            {
                continue;
            }
            foreach (var error in TypeShapes.Errors(parameter.Type, context.CancellationToken))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ParameterCannotCross,
                    reportAt ?? parameter.Locations.FirstOrDefault() ?? method.Locations.FirstOrDefault(),
                    parameter.Name, member, error.Path, error.Type, error.Reason));
            }
        }

        if (method.MethodKind == MethodKind.Constructor || method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            return;
        }
        foreach (var returned in SymbolFacts.WireTypes(method).Skip(method.Parameters.Count(p =>
            p.RefKind == RefKind.None && !SymbolFacts.IsNamed(p.Type, "CancellationToken", "System", "Threading"))))
        {
            if (SymbolFacts.UnsupportedTypeReason(returned) is not null)
            {
                continue; // the generator's GENRAY0007
            }
            foreach (var error in TypeShapes.Errors(returned, context.CancellationToken))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ResultCannotCross,
                    reportAt ?? method.Locations.FirstOrDefault(), member, error.Path, error.Type, error.Reason));
            }
        }
    }
}
