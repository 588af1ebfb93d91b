using System.Linq;
using GenRay.Generator.Model;
using static GenRay.Generator.Emitting.EmitHelpers;

namespace GenRay.Generator.Emitting;

/// <summary>
/// Emits an actor's <c>Remote</c> class (<c>New</c> per public constructor, <c>With(ActorOptions)</c>, the
/// activators) and the extension class that gives <c>ActorHandle&lt;T&gt;</c> one typed method per public method.
/// </summary>
internal static class ActorEmitter
{
    public static string Emit(ActorClass actor)
    {
        var writer = new SourceWriter();
        var type = actor.Type;
        var handle = $"global::GenRay.ActorHandle<{type.FullName}>";
        Header(writer, type);

        var depth = OpenTypes(writer, type);
        writer.Line($"/// <summary>Creates <c>{TaskEmitter.Escape(type.DisplayName)}</c> actors: <c>New(...)</c> takes the constructor's arguments and returns a handle at once.</summary>");
        using (writer.Block("public static partial class Remote"))
        {
            foreach (var constructor in actor.Constructors)
            {
                NewSummary(writer, type, constructor);
                writer.Line($"public static {handle} New({StubParameterList(constructor.Parameters)})");
                writer.Line($"    => {Create(constructor, "null")};");
                writer.Line();
            }
            writer.Line("/// <summary>Creates actors with options (name, resources, restarts, concurrency), like Ray's <c>Actor.options(...)</c>.</summary>");
            writer.Line("public static ActorFactory With(global::GenRay.ActorOptions options) => new(options);");
            writer.Line();
            writer.Line($"/// <summary>Creates <c>{TaskEmitter.Escape(type.DisplayName)}</c> actors with the given <see cref=\"global::GenRay.ActorOptions\"/>.</summary>");
            using (writer.Block("public readonly struct ActorFactory"))
            {
                writer.Line("private readonly global::GenRay.ActorOptions _options;");
                writer.Line();
                writer.Line("internal ActorFactory(global::GenRay.ActorOptions options)");
                writer.Line("    => _options = options ?? throw new global::System.ArgumentNullException(nameof(options));");
                foreach (var constructor in actor.Constructors)
                {
                    writer.Line();
                    NewSummary(writer, type, constructor);
                    writer.Line($"public {handle} New({StubParameterList(constructor.Parameters)})");
                    writer.Line($"    => {Create(constructor, "_options")};");
                }
            }
            writer.Line();
            writer.Line("/// <summary>The constructor calls behind <c>New</c>. For GenRay's runtime.</summary>");
            writer.Line(HiddenAttribute);
            using (writer.Block("internal static class Activators"))
            {
                writer.Line("internal static readonly global::GenRay.Internal.RemoteActorType ActorType = new(");
                writer.Line($"    {TaskEmitter.SymbolLiteral(type.MetadataName)}, {TaskEmitter.SymbolLiteral(type.DisplayName)}, hasAsyncMethods: {BoolLiteral(actor.HasAsyncMethods)},");
                writer.Line($"    defaults: {OptionsEmitter.ActorDefaults(actor.Options)});");
                foreach (var constructor in actor.Constructors)
                {
                    writer.Line();
                    EmitCreation(writer, type, constructor);
                }
                writer.Line();
                writer.Line("[global::System.Runtime.CompilerServices.ModuleInitializer]");
                writer.Line("internal static void Register()");
                using (writer.Block(""))
                {
                    writer.Line("var assembly = typeof(Activators).Assembly;");
                    foreach (var constructor in actor.Constructors)
                    {
                        writer.Line($"{Registry}.RegisterConstructor(assembly, ActorType, {constructor.CreationName}.Id, {constructor.CreationName}.Read);");
                    }
                    var calls = $"{QualifiedExtensions(actor)}.Invocations";
                    foreach (var method in actor.Methods)
                    {
                        writer.Line($"{Registry}.RegisterActorMethod<{type.FullName}>(assembly, {calls}.{method.InvocationName}.Descriptor, {calls}.{method.InvocationName}.Read);");
                    }
                    RegisterFormatters(writer, actor.Types);
                }
            }
        }
        CloseTypes(writer, depth);

        writer.Line();
        writer.Line($"/// <summary>The remote methods of <c>{TaskEmitter.Escape(type.DisplayName)}</c> actors, called on an <see cref=\"global::GenRay.ActorHandle{{T}}\"/>; each returns a ref to its result at once.</summary>");
        using (writer.Block($"{actor.Accessibility} static class {actor.ExtensionsName}"))
        {
            foreach (var method in actor.Methods)
            {
                var receiver = ReceiverName(method);
                var args = StubArguments(method.Parameters);
                writer.Line($"/// <summary>Calls <c>{TaskEmitter.Escape(method.DisplayName)}</c> on the actor; calls from one caller run in the order they were made.{TaskEmitter.ArgumentNote(method.Parameters)}</summary>");
                var parameters = StubParameterList(method.Parameters);
                writer.Line($"public static {StubReturnType(method)} {method.Name}(this {handle} {receiver}{(parameters.Length > 0 ? ", " + parameters : "")})");
                writer.Line($"    => new Invocations.{method.InvocationName}({receiver}{(args.Length > 0 ? ", " + args : "")}).Submit();");
                writer.Line();
            }
            writer.Line("/// <summary>The calls behind the extension methods. For GenRay's runtime.</summary>");
            writer.Line(HiddenAttribute);
            using (writer.Block("internal static class Invocations"))
            {
                var first = true;
                foreach (var method in actor.Methods)
                {
                    if (!first)
                    {
                        writer.Line();
                    }
                    first = false;
                    EmitCall(writer, type, method);
                }
            }
        }
        return writer.ToString();
    }

    private static string Create(ActorConstructor constructor, string options)
    {
        var args = StubArguments(constructor.Parameters);
        return $"new Activators.{constructor.CreationName}({options}{(args.Length > 0 ? ", " + args : "")}).Submit()";
    }

    private static void NewSummary(SourceWriter writer, ContainingType type, ActorConstructor constructor) =>
        writer.Line($"/// <summary>Starts an actor of class <c>{TaskEmitter.Escape(type.DisplayName)}</c> with these constructor arguments and returns its handle at once.{TaskEmitter.ArgumentNote(constructor.Parameters)}</summary>");

    private static void EmitCreation(SourceWriter writer, ContainingType type, ActorConstructor constructor)
    {
        using (writer.Block($"internal sealed class {constructor.CreationName} : global::GenRay.Internal.ActorCreation<{type.FullName}>"))
        {
            writer.Line($"internal const string Id = {TaskEmitter.SymbolLiteral(constructor.Id)};");
            writer.Line();
            ArgumentFields(writer, constructor.Parameters);
            if (CallerParameters(constructor.Parameters).Any())
            {
                writer.Line();
            }
            var parameters = InvocationParameterList(constructor.Parameters);
            writer.Line($"public {constructor.CreationName}(global::GenRay.ActorOptions? options{(parameters.Length > 0 ? ", " + parameters : "")})");
            writer.Line("    : base(ActorType, Id, options)");
            using (writer.Block(""))
            {
                StoreArguments(writer, constructor.Parameters);
            }
            writer.Line();
            writer.Line($"protected override {type.FullName} Activate()");
            writer.Line($"    => new {type.FullName}({CallArguments(constructor.Parameters)});");
            writer.Line();
            WriteArgumentsMethod(writer, constructor.Parameters);
            writer.Line();
            writer.Line("internal static global::GenRay.Internal.ActorCreation Read(ref global::MessagePack.MessagePackReader reader)");
            using (writer.Block(""))
            {
                var arguments = ReadArguments(writer, constructor.Parameters, $"{type.DisplayName} constructor");
                writer.Line($"return new {constructor.CreationName}(null{(arguments.Length > 0 ? ", " + arguments : "")});");
            }
        }
    }

    private static void EmitCall(SourceWriter writer, ContainingType type, RemoteSignature method)
    {
        var name = method.InvocationName;
        var handle = $"global::GenRay.ActorHandle<{type.FullName}>";
        using (writer.Block($"internal sealed class {name} : global::GenRay.Internal.ActorInvocation<{type.FullName}, {method.ResultType}>"))
        {
            writer.Line("internal static readonly global::GenRay.Internal.RemoteMethod Descriptor = new(");
            writer.Line($"    {TaskEmitter.SymbolLiteral(method.Id)}, {TaskEmitter.SymbolLiteral(method.DisplayName)}, isAsync: {BoolLiteral(method.IsAsync)});");
            writer.Line();
            ArgumentFields(writer, method.Parameters);
            if (CallerParameters(method.Parameters).Any())
            {
                writer.Line();
            }
            var parameters = InvocationParameterList(method.Parameters);
            var receiver = ReceiverName(method);
            writer.Line($"public {name}({handle} {receiver}{(parameters.Length > 0 ? ", " + parameters : "")})");
            writer.Line($"    : base(Descriptor, {receiver})");
            using (writer.Block(""))
            {
                StoreArguments(writer, method.Parameters);
            }
            writer.Line();
            writer.Line($"protected override {ValueTask}<{method.ResultType}> Invoke({type.FullName} instance)");
            InvokeBody(writer, method, $"instance.{method.Name}({CallArguments(method.Parameters)})");
            writer.Line();
            WriteArgumentsMethod(writer, method.Parameters);
            writer.Line();
            writer.Line($"internal static global::GenRay.Internal.ActorCall Read(ref global::MessagePack.MessagePackReader reader, {handle} actor)");
            using (writer.Block(""))
            {
                var arguments = ReadArguments(writer, method.Parameters, method.DisplayName);
                writer.Line($"return new {name}(actor{(arguments.Length > 0 ? ", " + arguments : "")});");
            }
        }
    }

    private static string QualifiedExtensions(ActorClass actor) =>
        actor.Type.Namespace is null ? $"global::{actor.ExtensionsName}" : $"global::{actor.Type.Namespace}.{actor.ExtensionsName}";

    /// <summary>The handle parameter's name: <c>actor</c>, unless a method parameter is called that.</summary>
    private static string ReceiverName(RemoteSignature method)
    {
        var name = "actor";
        while (method.Parameters.Any(p => p.Name.TrimStart('@') == name))
        {
            name = "_" + name;
        }
        return name;
    }
}
