namespace GenRay.Generator.Model;

/// <summary>One type declaration around generated code: <c>partial {Keyword} {Name}</c>.</summary>
internal sealed record TypeDeclaration(string Keyword, string Name);

/// <summary>
/// The type that holds [Remote] members, as values: where to put generated code and how to name the type.
/// </summary>
/// <param name="Namespace">The namespace, or null for the global namespace.</param>
/// <param name="Chain">The type and its enclosing types, outermost first.</param>
/// <param name="FullName">The fully qualified name for code, <c>global::MyApp.Outer.Work</c>.</param>
/// <param name="DisplayName">The name errors show, <c>Outer.Work</c>.</param>
/// <param name="MetadataName">The name ids are made of, <c>MyApp.Outer+Work</c>.</param>
internal sealed record ContainingType(
    string? Namespace,
    EquatableArray<TypeDeclaration> Chain,
    string FullName,
    string DisplayName,
    string MetadataName);

/// <summary>A parameter of a remote method or constructor.</summary>
/// <param name="Name">The identifier as written in code (escaped with <c>@</c> when it is a keyword).</param>
/// <param name="FieldName">The field holding it in the invocation class.</param>
/// <param name="Type">The fully qualified type, with nullable annotations.</param>
/// <param name="DefaultValue">The declared default as a C# expression, or null when the parameter is required.</param>
/// <param name="IsCancellationToken">Supplied by the runtime (the task's token), not by the caller.</param>
internal sealed record Parameter(string Name, string FieldName, string Type, string? DefaultValue, bool IsCancellationToken);

/// <summary>What a remote method returns, and so how its result is unwrapped.</summary>
internal enum ReturnKind
{
    Void,
    Value,
    Task,
    TaskOfT,
    ValueTask,
    ValueTaskOfT,
}

/// <summary>A resource amount from <c>Resources = new[] { "name=amount" }</c>.</summary>
internal sealed record ResourceEntry(string Name, string Amount);

/// <summary>The options written in a [Remote] attribute, as C# literals (null: not written).</summary>
internal sealed record RemoteOptions(
    string? NumCpus,
    string? NumGpus,
    EquatableArray<ResourceEntry> Resources,
    string? MaxRetries,
    string? RetryExceptions,
    EquatableArray<string> RetryExceptionTypes,
    string? MaxRestarts,
    string? MaxTaskRetries,
    string? MaxConcurrency)
{
    public static readonly RemoteOptions None = new(null, null, EquatableArray<ResourceEntry>.Empty, null, null, EquatableArray<string>.Empty, null, null, null);

    public bool HasTaskOptions => NumCpus is not null || NumGpus is not null || Resources.Count > 0 || MaxRetries is not null
        || RetryExceptions is not null || RetryExceptionTypes.Count > 0;

    public bool HasActorOptions => NumCpus is not null || NumGpus is not null || Resources.Count > 0 || MaxRestarts is not null
        || MaxTaskRetries is not null || MaxConcurrency is not null;
}

/// <summary>The signature facts every remote call needs: parameters, result, ids.</summary>
/// <param name="Name">The method's name.</param>
/// <param name="Parameters">Every parameter, in order (a CancellationToken one included).</param>
/// <param name="ReturnKind">How the result is unwrapped.</param>
/// <param name="ResultType">The type of the result ref's value (<c>global::GenRay.Internal.Unit</c> for no value).</param>
/// <param name="Id">The stable method id, <c>MyApp.Work.Add(int, int)</c>.</param>
/// <param name="DisplayName">The name errors show, <c>Work.Add</c>.</param>
/// <param name="InvocationName">The invocation class's name inside <c>Invocations</c>.</param>
internal sealed record RemoteSignature(
    string Name,
    EquatableArray<Parameter> Parameters,
    ReturnKind ReturnKind,
    string ResultType,
    string Id,
    string DisplayName,
    string InvocationName)
{
    public bool HasResult => ReturnKind is ReturnKind.Value or ReturnKind.TaskOfT or ReturnKind.ValueTaskOfT;

    public bool IsAsync => ReturnKind is not (ReturnKind.Value or ReturnKind.Void);
}

/// <summary>A [Remote] static method: a task.</summary>
internal sealed record TaskMethod(
    ContainingType Type,
    string Accessibility,
    RemoteSignature Signature,
    RemoteOptions Options,
    EquatableArray<SerializableType> Types,
    string HintName);

/// <summary>A constructor of an actor class: its parameters, generated class name and stable id (its signature).</summary>
internal sealed record ActorConstructor(EquatableArray<Parameter> Parameters, string CreationName, string Id);

/// <summary>A [Remote] class: an actor, with every public constructor and instance method.</summary>
/// <param name="Type">The actor class itself (last in the chain).</param>
/// <param name="Accessibility">The accessibility of the generated extension class (public or internal).</param>
/// <param name="Constructors">The public constructors, each a <c>New</c> overload.</param>
/// <param name="Methods">The public instance methods, each an extension method on <c>ActorHandle&lt;T&gt;</c>.</param>
/// <param name="Options">The options written in the attribute.</param>
/// <param name="Types">Every type its constructors and methods send or return.</param>
/// <param name="ExtensionsName">The generated extension class's name.</param>
/// <param name="HintName">The generated file's name.</param>
internal sealed record ActorClass(
    ContainingType Type,
    string Accessibility,
    EquatableArray<ActorConstructor> Constructors,
    EquatableArray<RemoteSignature> Methods,
    RemoteOptions Options,
    EquatableArray<SerializableType> Types,
    string ExtensionsName,
    string HintName)
{
    public bool HasAsyncMethods
    {
        get
        {
            foreach (var method in Methods)
            {
                if (method.IsAsync)
                {
                    return true;
                }
            }
            return false;
        }
    }
}

/// <summary>A model (null when nothing can be generated) and the diagnostics found while building it.</summary>
internal sealed record ParseResult<T>(T? Model, EquatableArray<DiagnosticInfo> Diagnostics)
    where T : class;
