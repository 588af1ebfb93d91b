using System;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GenRay.Generator.Parsing;

/// <summary>
/// What a compilation declares — every file's text outside method and accessor bodies, its directives, the
/// references and the options — so that two compilations can be told to declare the same things. The models
/// are built from declarations only (signatures, attributes, the shapes of the types they send), so between two
/// such compilations no model can differ: the IDE's everyday edit, a keystroke inside a method body, changes
/// none of them. This is the distinction Roslyn's own IDE makes between a top-level and a body edit.
/// </summary>
/// <remarks>
/// Holds values only (strings, parse options, identity tokens for references and a weak reference to the
/// compilation options), never a compilation, tree or symbol, so it keeps nothing of the compiler alive.
/// </remarks>
internal sealed class DeclarationVersion
{
    private static readonly ConditionalWeakTable<Compilation, DeclarationVersion> s_compilations = new();
    private static readonly ConditionalWeakTable<SyntaxTree, TreeDeclarations> s_trees = new();
    private static readonly ConditionalWeakTable<MetadataReference, object> s_references = new();

    private readonly string? _assemblyName;
    private readonly WeakReference<CompilationOptions> _options;
    private readonly ImmutableArray<object> _references;
    private readonly ImmutableArray<TreeDeclarations> _trees;

    // Versions found to declare the same things share one token, so that every later comparison between them is
    // one reference test: the transforms compare a version with the previous one once per [Remote] declaration.
    // Tokens are only shared after a full comparison, and sameness is transitive, so a shared token proves it.
    private object _sameAs = new();

    private DeclarationVersion(Compilation compilation, CancellationToken ct)
    {
        _assemblyName = compilation.AssemblyName;
        _options = new WeakReference<CompilationOptions>(compilation.Options);
        var references = ImmutableArray.CreateBuilder<object>();
        foreach (var reference in compilation.References)
        {
            // A reference is compared by identity: a changed dependency is a new reference object.
            references.Add(s_references.GetValue(reference, static _ => new object()));
        }
        _references = references.ToImmutable();
        var trees = ImmutableArray.CreateBuilder<TreeDeclarations>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            trees.Add(s_trees.GetValue(tree, t => new TreeDeclarations(t, ct)));
        }
        _trees = trees.ToImmutable();
    }

    /// <summary>The version of <paramref name="compilation"/>, computed once per compilation; a tree's
    /// declarations are read once per tree, so after an edit only the edited file is read again.</summary>
    public static DeclarationVersion Of(Compilation compilation, CancellationToken ct) =>
        s_compilations.GetValue(compilation, c => new DeclarationVersion(c, ct));

    /// <summary>Whether both compilations declare exactly the same things in the same files.</summary>
    public bool SameDeclarationsAs(DeclarationVersion other)
    {
        if (ReferenceEquals(this, other) || ReferenceEquals(_sameAs, other._sameAs))
        {
            return true;
        }
        if (_assemblyName != other._assemblyName || _references.Length != other._references.Length || _trees.Length != other._trees.Length
            || !_options.TryGetTarget(out var options) || !other._options.TryGetTarget(out var otherOptions)
            || !(ReferenceEquals(options, otherOptions) || options.Equals(otherOptions)))
        {
            return false;
        }
        for (var i = 0; i < _references.Length; i++)
        {
            if (!ReferenceEquals(_references[i], other._references[i]))
            {
                return false;
            }
        }
        for (var i = 0; i < _trees.Length; i++)
        {
            if (!_trees[i].Equals(other._trees[i]))
            {
                return false;
            }
        }
        other._sameAs = _sameAs;
        return true;
    }

    /// <summary>One file's declarations: its path, parse options, and the text of its tokens outside bodies.</summary>
    private sealed class TreeDeclarations : IEquatable<TreeDeclarations>
    {
        private readonly string _path;
        private readonly ParseOptions _options;
        private readonly string _text;

        public TreeDeclarations(SyntaxTree tree, CancellationToken ct)
        {
            _path = tree.FilePath;
            _options = tree.Options;
            var root = tree.GetRoot(ct);
            var text = new StringBuilder();
            foreach (var token in root.DescendantTokens(static node => !IsBody(node)))
            {
                text.Append(token.Text).Append(' ');
            }
            // Directives count wherever they are: `#nullable disable` inside a body changes the declarations after it.
            if (root.ContainsDirectives && root is CSharpSyntaxNode csharp)
            {
                for (var directive = csharp.GetFirstDirective(); directive is not null; directive = directive.GetNextDirective())
                {
                    text.Append('\n').Append(directive.ToString());
                }
            }
            _text = text.ToString();
        }

        public bool Equals(TreeDeclarations? other) => ReferenceEquals(this, other)
            || (other is not null && _path == other._path && _text == other._text && _options.Equals(other._options));

        public override bool Equals(object? obj) => Equals(obj as TreeDeclarations);

        public override int GetHashCode() => _text.GetHashCode();

        // The body of a method, constructor, operator, accessor or expression-bodied property declares nothing
        // another declaration can see. Field and parameter initializers are kept: a constant's value is part of
        // the declarations (a default value can name it).
        private static bool IsBody(SyntaxNode node) =>
            node is BlockSyntax or ArrowExpressionClauseSyntax
            && node.Parent is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or BasePropertyDeclarationSyntax;
    }
}
