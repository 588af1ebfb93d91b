using GenRay.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace GenRay.Generator.Analyzers;

/// <summary>
/// GENRAY0021: <c>Ray.Get</c>/<c>Ray.Wait</c> in async code — async methods (remote ones included), lambdas and
/// local functions — where a blocked thread is one an event loop, an async actor or a server needed.
/// </summary>
/// <remarks>
/// Blocking in a synchronous remote method is not reported. A task that submits nested tasks and gets their
/// results is Ray's nested-parallelism pattern, and GenRay, like Ray, gives the task's CPUs back while it blocks;
/// and an <c>ObjectRef&lt;T&gt;</c> parameter is how a remote decides when, or whether, to fetch a value
/// (docs/concepts.md), so a Get on one is not a mistake either.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BlockingGetAnalyzer : RayInvocationAnalyzer
{
    /// <summary>Creates the analyzer.</summary>
    public BlockingGetAnalyzer() : base(DiagnosticDescriptors.BlockingWaitInAsyncCode)
    {
    }

    private protected override void Analyze(OperationAnalysisContext context, IInvocationOperation call, RaySymbols symbols)
    {
        if (!symbols.IsBlockingWait(call.TargetMethod))
        {
            return;
        }
        if (Operations.IsInAsyncCode(call, context.ContainingSymbol, out var function))
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BlockingWaitInAsyncCode, call.Syntax.GetLocation(),
                call.TargetMethod.Name, function));
        }
    }
}
