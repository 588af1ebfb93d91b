using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GenRay.Generator.Analyzers;

/// <summary>
/// The GenRay types the usage analyzers look for, resolved once per compilation. A compilation that does not
/// reference the runtime has none, and the analyzers register nothing for it.
/// </summary>
internal sealed class RaySymbols
{
    private RaySymbols(INamedTypeSymbol ray, INamedTypeSymbol objectRef, INamedTypeSymbol objectRefOfT, INamedTypeSymbol actorHandle,
        INamedTypeSymbol arg, INamedTypeSymbol? remoteAttribute)
    {
        Ray = ray;
        ObjectRef = objectRef;
        ObjectRefOfT = objectRefOfT;
        ActorHandle = actorHandle;
        Arg = arg;
        RemoteAttribute = remoteAttribute;
    }

    public INamedTypeSymbol Ray { get; }

    public INamedTypeSymbol ObjectRef { get; }

    public INamedTypeSymbol ObjectRefOfT { get; }

    public INamedTypeSymbol ActorHandle { get; }

    public INamedTypeSymbol Arg { get; }

    public INamedTypeSymbol? RemoteAttribute { get; }

    public static RaySymbols? TryCreate(Compilation compilation)
    {
        var ray = compilation.GetTypeByMetadataName("GenRay.Ray");
        var objectRef = compilation.GetTypeByMetadataName("GenRay.ObjectRef");
        var objectRefOfT = compilation.GetTypeByMetadataName("GenRay.ObjectRef`1");
        var actorHandle = compilation.GetTypeByMetadataName("GenRay.ActorHandle`1");
        var arg = compilation.GetTypeByMetadataName("GenRay.Arg`1");
        if (ray is null || objectRef is null || objectRefOfT is null || actorHandle is null || arg is null)
        {
            return null;
        }
        return new RaySymbols(ray, objectRef, objectRefOfT, actorHandle, arg, compilation.GetTypeByMetadataName("GenRay.RemoteAttribute"));
    }

    /// <summary>Ray.Get or Ray.Wait: the calls that block a thread until objects are ready.</summary>
    public bool IsBlockingWait(IMethodSymbol method) =>
        method.Name is "Get" or "Wait" && SymbolEqualityComparer.Default.Equals(method.ContainingType, Ray);

    public bool IsRayGet(IMethodSymbol method) =>
        method.Name == "Get" && SymbolEqualityComparer.Default.Equals(method.ContainingType, Ray);

    public bool IsObjectRef(ITypeSymbol? type) =>
        type is INamedTypeSymbol named
        && (SymbolEqualityComparer.Default.Equals(named, ObjectRef) || SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, ObjectRefOfT));

    public bool IsActorHandle(ITypeSymbol? type) =>
        type is INamedTypeSymbol named && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, ActorHandle);

    public bool IsArg(ITypeSymbol? type) =>
        type is INamedTypeSymbol named && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, Arg);

    /// <summary>
    /// A generated stub: a call that submits remote work and returns its ref (or a new actor's handle) at once.
    /// Recognised by shape, since generated code carries no marker: it returns a ref or a handle, is not the
    /// runtime's own (<c>Ray.Put</c> returns a ref but submits nothing), and is a <c>Remote</c> member, an
    /// extension on <c>ActorHandle&lt;T&gt;</c>, or takes <c>Arg&lt;T&gt;</c> parameters.
    /// </summary>
    public bool IsStub(IMethodSymbol method)
    {
        if (!(IsObjectRef(method.ReturnType) || IsActorHandle(method.ReturnType))
            || SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, Ray.ContainingAssembly))
        {
            return false;
        }
        return IsActorCall(method)
            || method.Parameters.Any(p => IsArg(p.Type))
            || method.ContainingType is { Name: "Remote" or "TaskStubs" or "ActorFactory" };
    }

    /// <summary>A generated actor method: an extension on <c>ActorHandle&lt;T&gt;</c> (as IOperation sees it, unreduced).</summary>
    public bool IsActorCall(IMethodSymbol method) =>
        method.IsExtensionMethod && method.Parameters.Length > 0 && IsActorHandle(method.Parameters[0].Type);

    /// <summary>How a stub is written at the call site, for messages: <c>Work.Remote.Add</c>, <c>Adder.GetSum</c>.</summary>
    public string StubDisplay(IMethodSymbol method)
    {
        if (IsActorCall(method) && method.Parameters[0].Type is INamedTypeSymbol { TypeArguments.Length: 1 } handle)
        {
            return $"{handle.TypeArguments[0].Name}.{method.Name}";
        }
        var owner = method.ContainingType;
        while (owner is { Name: "Remote" or "TaskStubs" or "ActorFactory" } && owner.ContainingType is not null)
        {
            owner = owner.ContainingType;
        }
        return owner is null ? method.Name : $"{owner.Name}.Remote.{method.Name}";
    }

    public bool HasRemoteAttribute(ISymbol symbol) =>
        RemoteAttribute is not null
        && symbol.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, RemoteAttribute));

    /// <summary>Whether the method runs remotely: a [Remote] static method, or a public instance method of a [Remote] class.</summary>
    public bool IsRemoteMethod(IMethodSymbol method)
    {
        if (method.MethodKind != MethodKind.Ordinary)
        {
            return false;
        }
        return method.IsStatic
            ? HasRemoteAttribute(method)
            : method.DeclaredAccessibility == Accessibility.Public && method.ContainingType is { } type && HasRemoteAttribute(type);
    }

    /// <summary>The invoked stubs in an expression, not counting those inside lambdas (which run later, if at all).</summary>
    public System.Collections.Generic.IEnumerable<IInvocationOperation> StubCallsIn(IOperation operation)
    {
        if (operation is IInvocationOperation self && IsStub(self.TargetMethod))
        {
            yield return self;
        }
        foreach (var child in operation.ChildOperations)
        {
            if (child is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                continue;
            }
            foreach (var call in StubCallsIn(child))
            {
                yield return call;
            }
        }
    }
}
