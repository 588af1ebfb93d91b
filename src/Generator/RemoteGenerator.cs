using System.Linq;
using GenRay.Generator.Emitting;
using GenRay.Generator.Model;
using GenRay.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GenRay.Generator;

/// <summary>
/// Turns <c>[Remote]</c> static methods into typed task stubs and <c>[Remote]</c> classes into actor factories
/// and typed handle methods, with the invocation classes that call the user's code directly.
/// </summary>
/// <remarks>
/// Parse → equatable model → emit. Models hold only values (no symbols, syntax or locations), so an edit
/// that leaves a remote's signature unchanged — a method body, an unrelated file — stops at the model
/// comparison and regenerates nothing. Diagnostics travel beside the models and are reported by their own
/// output, so they never invalidate cached source.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed class RemoteGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var taskResults = context.SyntaxProvider.ForAttributeWithMetadataName(
                SymbolFacts.RemoteAttributeName,
                static (node, _) => node is MethodDeclarationSyntax,
                static (ctx, ct) => ParseCache<TaskMethod>.GetOrParse(ctx, TaskParser.Parse, ct))
            .WithTrackingName(TrackingNames.TaskResults);

        var tasks = taskResults
            .Where(static r => r.Model is not null)
            .Select(static (r, _) => r.Model!)
            .WithTrackingName(TrackingNames.TaskModels);

        var hosts = tasks
            .Select(static (t, _) => t.Type)
            .Collect()
            .SelectMany(static (types, _) => types.Distinct())
            .WithTrackingName(TrackingNames.TaskHosts);

        var actorResults = context.SyntaxProvider.ForAttributeWithMetadataName(
                SymbolFacts.RemoteAttributeName,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                static (ctx, ct) => ParseCache<ActorClass>.GetOrParse(ctx, ActorParser.Parse, ct))
            .WithTrackingName(TrackingNames.ActorResults);

        var actors = actorResults
            .Where(static r => r.Model is not null)
            .Select(static (r, _) => r.Model!)
            .WithTrackingName(TrackingNames.ActorModels);

        // A user type's formatter is written once per assembly, however many remotes send it.
        var objects = tasks.Select(static (t, _) => t.Types).Collect()
            .Combine(actors.Select(static (a, _) => a.Types).Collect())
            .SelectMany(static (pair, _) => pair.Left.Concat(pair.Right).SelectMany(types => types)
                .Where(type => type.Object is not null).Select(type => type.Object!).Distinct())
            .WithTrackingName(TrackingNames.UserObjects);

        context.RegisterSourceOutput(tasks, static (spc, task) => spc.AddSource(task.HintName, TaskEmitter.EmitMethod(task)));
        context.RegisterSourceOutput(objects, static (spc, type) =>
            spc.AddSource(SymbolFacts.HintName($"GenRay.Generated.{type.FormatterName}"), FormatterEmitter.Emit(type)));
        context.RegisterSourceOutput(hosts, static (spc, type) =>
            spc.AddSource(SymbolFacts.HintName($"{type.MetadataName}.Remote"), TaskEmitter.EmitHost(type)));
        context.RegisterSourceOutput(actors, static (spc, actor) => spc.AddSource(actor.HintName, ActorEmitter.Emit(actor)));

        context.RegisterSourceOutput(taskResults.Select(static (r, _) => r.Diagnostics), ReportDiagnostics);
        context.RegisterSourceOutput(actorResults.Select(static (r, _) => r.Diagnostics), ReportDiagnostics);
    }

    private static void ReportDiagnostics(SourceProductionContext context, EquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
        {
            context.ReportDiagnostic(diagnostic.ToDiagnostic());
        }
    }
}
