using System;
using System.Runtime.CompilerServices;
using System.Threading;
using GenRay.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenRay.Generator.Parsing;

/// <summary>
/// The transforms' results, reused while nothing they were built from can have changed.
/// </summary>
/// <remarks>
/// <para>
/// <c>ForAttributeWithMetadataName</c> calls a transform again for every <c>[Remote]</c> declaration of the project
/// whenever the compilation changes, with new symbols: on a keystroke in one method body, a project with a
/// thousand remotes re-binds and re-describes a thousand signatures that cannot have changed, and at that scale
/// this alone takes longer than an IDE can afford per keystroke.
/// </para>
/// <para>
/// A declaration in a file the edit did not touch is the same syntax node as before. Its result is reused when
/// the compilation it was built in declares the same things as the current one (<see cref="DeclarationVersion"/>):
/// a model depends on nothing else. Everything else is parsed again — the edited file's declarations (its nodes
/// are new), and every declaration once any declaration, reference or option of the project changes. Results
/// with diagnostics are never reused: a diagnostic can point into another file (a partial type's first
/// declaration), where an edit moves it.
/// </para>
/// <para>
/// Keys are weak (a node dies with its tree) and results are plain values, so the cache keeps no compiler object
/// alive; the same declaration seen by two compilations that differ is simply parsed for each.
/// </para>
/// </remarks>
internal static class ParseCache<T>
    where T : class
{
    private static readonly ConditionalWeakTable<SyntaxNode, Entry> s_results = new();

    public static ParseResult<T> GetOrParse(
        GeneratorAttributeSyntaxContext context,
        Func<GeneratorAttributeSyntaxContext, CancellationToken, ParseResult<T>> parse,
        CancellationToken ct)
    {
        var version = DeclarationVersion.Of(context.SemanticModel.Compilation, ct);
        var entry = s_results.GetValue(context.TargetNode, static _ => new Entry());
        var known = entry.Current;
        if (known is not null && known.Version.SameDeclarationsAs(version))
        {
            if (!ReferenceEquals(known.Version, version))
            {
                // The next compilation is compared with this one; the older version can be collected.
                entry.Current = new Parsed(version, known.Result);
            }
            return known.Result;
        }
        var result = parse(context, ct);
        entry.Current = result.Diagnostics.Count == 0 ? new Parsed(version, result) : null;
        return result;
    }

    private sealed class Entry
    {
        // Replaced whole, so a reader never sees a version with another version's result.
        public volatile Parsed? Current;
    }

    private sealed record Parsed(DeclarationVersion Version, ParseResult<T> Result);
}
