using System.Linq;
using GenRay.Generator.Model;
using static GenRay.Generator.Emitting.EmitHelpers;

namespace GenRay.Generator.Emitting;

/// <summary>
/// Emits a task's stub, its <c>TaskStubs</c> twin (per-call options) and its invocation class into the
/// containing type's nested <c>Remote</c> class; and, once per type, the <c>Remote</c> class itself.
/// Each task gets its own file, so editing one method's signature regenerates only that method.
/// </summary>
internal static class TaskEmitter
{
    public static string EmitMethod(TaskMethod task)
    {
        var writer = new SourceWriter();
        var signature = task.Signature;
        Header(writer, task.Type);
        var depth = OpenTypes(writer, task.Type);
        using (writer.Block("partial class Remote"))
        {
            var stub = $"{StubReturnType(signature)} {signature.Name}({StubParameterList(signature.Parameters)})";
            var submit = $"new Invocations.{signature.InvocationName}({{0}}{Separator(signature)}{StubArguments(signature.Parameters)}).Submit();";

            Summary(writer, signature);
            writer.Line($"{task.Accessibility} static {stub}");
            writer.Line("    => " + string.Format(submit, "null"));
            writer.Line();
            using (writer.Block("partial struct TaskStubs"))
            {
                Summary(writer, signature);
                writer.Line($"{task.Accessibility} {stub}");
                writer.Line("    => " + string.Format(submit, "_options"));
            }
            writer.Line();
            using (writer.Block("internal static partial class Invocations"))
            {
                EmitInvocation(writer, task);
            }
        }
        CloseTypes(writer, depth);
        return writer.ToString();
    }

    /// <summary>The <c>Remote</c> class of a type with tasks: <c>With(TaskOptions)</c> and the <c>TaskStubs</c> struct.</summary>
    public static string EmitHost(ContainingType type)
    {
        var writer = new SourceWriter();
        Header(writer, type);
        var depth = OpenTypes(writer, type);
        writer.Line($"/// <summary>Remote stubs for the [Remote] methods of <c>{Escape(type.DisplayName)}</c>: each returns an <see cref=\"global::GenRay.ObjectRef{{T}}\"/> at once.</summary>");
        using (writer.Block("public static partial class Remote"))
        {
            writer.Line("/// <summary>The same stubs with per-call options, like Ray's <c>f.options(...)</c>.</summary>");
            writer.Line("public static TaskStubs With(global::GenRay.TaskOptions options) => new(options);");
            writer.Line();
            writer.Line("/// <summary>The remote stubs of this type, bound to per-call <see cref=\"global::GenRay.TaskOptions\"/>.</summary>");
            using (writer.Block("public readonly partial struct TaskStubs"))
            {
                writer.Line("private readonly global::GenRay.TaskOptions _options;");
                writer.Line();
                writer.Line("internal TaskStubs(global::GenRay.TaskOptions options)");
                writer.Line("    => _options = options ?? throw new global::System.ArgumentNullException(nameof(options));");
            }
            writer.Line();
            writer.Line("/// <summary>The calls behind the stubs. For GenRay's runtime.</summary>");
            writer.Line(HiddenAttribute);
            writer.Line("internal static partial class Invocations");
            writer.Line("{");
            writer.Line("}");
        }
        CloseTypes(writer, depth);
        return writer.ToString();
    }

    private static void EmitInvocation(SourceWriter writer, TaskMethod task)
    {
        var signature = task.Signature;
        var name = signature.InvocationName;
        using (writer.Block($"internal sealed class {name} : global::GenRay.Internal.TaskInvocation<{signature.ResultType}>"))
        {
            writer.Line("internal static readonly global::GenRay.Internal.RemoteMethod Descriptor = new(");
            writer.Line($"    {SymbolLiteral(signature.Id)}, {SymbolLiteral(signature.DisplayName)}, isAsync: {BoolLiteral(signature.IsAsync)},");
            writer.Line($"    defaults: {OptionsEmitter.TaskDefaults(task.Options)});");
            writer.Line();
            ArgumentFields(writer, signature.Parameters);
            writer.Line();
            writer.Line($"public {name}(global::GenRay.TaskOptions? options{Separator(signature)}{InvocationParameterList(signature.Parameters)})");
            writer.Line("    : base(Descriptor, options)");
            using (writer.Block(""))
            {
                StoreArguments(writer, signature.Parameters);
            }
            writer.Line();
            writer.Line($"protected override {ValueTask}<{signature.ResultType}> Invoke()");
            InvokeBody(writer, signature, $"{task.Type.FullName}.{signature.Name}({CallArguments(signature.Parameters)})");
            writer.Line();
            WriteArgumentsMethod(writer, signature.Parameters);
            writer.Line();
            writer.Line("internal static global::GenRay.Internal.TaskInvocation Read(ref global::MessagePack.MessagePackReader reader)");
            using (writer.Block(""))
            {
                var arguments = ReadArguments(writer, signature.Parameters, signature.DisplayName);
                writer.Line($"return new {name}(null{(arguments.Length > 0 ? ", " + arguments : "")});");
            }
            writer.Line();
            writer.Line("[global::System.Runtime.CompilerServices.ModuleInitializer]");
            writer.Line("internal static void Register()");
            using (writer.Block(""))
            {
                writer.Line($"{Registry}.RegisterTask(typeof({name}).Assembly, Descriptor, Read);");
                RegisterFormatters(writer, task.Types);
            }
        }
    }

    private static void Summary(SourceWriter writer, RemoteSignature signature) =>
        writer.Line($"/// <summary>Runs <c>{Escape(signature.DisplayName)}</c> as a remote task; returns a ref to its result at once.{ArgumentNote(signature.Parameters)}</summary>");

    /// <summary>The doc sentence about arguments, for stubs that take any.</summary>
    internal static string ArgumentNote(EquatableArray<Parameter> parameters) =>
        CallerParameters(parameters).Any() ? " Any argument may be a value or an <see cref=\"global::GenRay.ObjectRef{T}\"/> to wait for." : "";

    internal static string Separator(RemoteSignature signature)
    {
        foreach (var _ in CallerParameters(signature.Parameters))
        {
            return ", ";
        }
        return "";
    }

    internal static string SymbolLiteral(string text) => Parsing.SymbolFacts.Literal(text);

    internal static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
