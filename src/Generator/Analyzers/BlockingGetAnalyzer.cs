using System.Collections.Immutable;
using GenRay.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace GenRay.Generator.Analyzers;

/// <summary>
/// GENRAY0021: <c>Ray.Get</c>/<c>Ray.Wait</c> in async code, where a blocked thread is one an event loop, an
/// async actor or a server needed. GENRAY0022, Ray's "calling ray.get on task arguments": a remote method that
/// blocks on an <c>ObjectRef&lt;T&gt;</c> parameter, where declaring it as <c>T</c> lets the scheduler wait instead.
/// </summary>
/// <remarks>
/// A synchronous task that submits nested tasks and gets their results is Ray's nested-parallelism pattern, not
/// an anti-pattern: GenRay, like Ray, gives the task's CPUs back while it blocks. So blocking in a synchronous
/// remote method is reported only in the one shape Ray documents as harmful.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BlockingGetAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.BlockingWaitInAsyncCode, DiagnosticDescriptors.GetOnRemoteArgument);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (RaySymbols.TryCreate(start.Compilation) is { } symbols)
            {
                start.RegisterOperationAction(c => Analyze(c, symbols), OperationKind.Invocation);
            }
        });
    }

    private static void Analyze(OperationAnalysisContext context, RaySymbols symbols)
    {
        var call = (IInvocationOperation)context.Operation;
        if (!symbols.IsBlockingWait(call.TargetMethod))
        {
            return;
        }
        if (Operations.IsInAsyncCode(call, context.ContainingSymbol, out var function))
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BlockingWaitInAsyncCode, call.Syntax.GetLocation(),
                call.TargetMethod.Name, function));
            return;
        }
        if (call.TargetMethod.Name == "Get"
            && Operations.EnclosingFunction(call) is null
            && context.ContainingSymbol is IMethodSymbol method
            && symbols.IsRemoteMethod(method)
            && call.Arguments.Length > 0
            && Operations.Unwrap(call.Arguments[0].Value) is IParameterReferenceOperation { Parameter: var parameter }
            && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, method)
            && parameter.Type is INamedTypeSymbol { TypeArguments.Length: 1 } refType
            && symbols.IsObjectRef(refType))
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GetOnRemoteArgument, call.Syntax.GetLocation(),
                $"{method.ContainingType.Name}.{method.Name}", call.TargetMethod.Name, parameter.Name,
                refType.TypeArguments[0].ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)));
        }
    }
}
