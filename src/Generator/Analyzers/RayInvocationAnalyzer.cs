using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace GenRay.Generator.Analyzers;

/// <summary>
/// The frame of the anti-pattern analyzers: each looks at invocations, and only in a compilation that references
/// GenRay (when <see cref="RaySymbols"/> resolves), never in generated code.
/// </summary>
public abstract class RayInvocationAnalyzer : DiagnosticAnalyzer
{
    private protected RayInvocationAnalyzer(DiagnosticDescriptor descriptor) => SupportedDiagnostics = ImmutableArray.Create(descriptor);

    /// <inheritdoc />
    public sealed override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; }

    /// <inheritdoc />
    public sealed override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (RaySymbols.TryCreate(start.Compilation) is { } symbols)
            {
                start.RegisterOperationAction(c => Analyze(c, (IInvocationOperation)c.Operation, symbols), OperationKind.Invocation);
            }
        });
    }

    private protected abstract void Analyze(OperationAnalysisContext context, IInvocationOperation call, RaySymbols symbols);
}
