using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace GenRay.Generator.Diagnostics;

/// <summary>
/// Every GenRay diagnostic. Each message says what to change; each help link opens its section of
/// docs/diagnostics.md. The generator reports those that stop it from emitting correct code; the analyzer
/// reports the rest.
/// </summary>
internal static class DiagnosticDescriptors
{
    public const string HelpLinkBase = "https://github.com/genray/genray/blob/main/docs/diagnostics.md";

    private const string Usage = "GenRay.Usage";
    private const string Serialization = "GenRay.Serialization";
    private const string Performance = "GenRay.Performance";

    public static readonly DiagnosticDescriptor TypeMustBePartial = Error(
        "GENRAY0001", Usage,
        "Type must be partial",
        "'{0}' must be declared partial so GenRay can add the Remote class for {1}");

    public static readonly DiagnosticDescriptor ActorClassKind = Error(
        "GENRAY0002", Usage,
        "Actor class cannot be static or abstract",
        "Actor class '{0}' is {1}; an actor is an instance GenRay creates, so make it a non-static, non-abstract class");

    public static readonly DiagnosticDescriptor ActorNeedsConstructor = Error(
        "GENRAY0003", Usage,
        "Actor class needs a public constructor",
        "Actor class '{0}' has no public constructor the generated New(...) can call; add one");

    public static readonly DiagnosticDescriptor InstanceMethodOutsideActor = Error(
        "GENRAY0004", Usage,
        "[Remote] instance method outside an actor",
        "'{0}' is an instance method of '{1}', which is not a [Remote] actor; make the method static (a task) or put [Remote] on the class (an actor)");

    public static readonly DiagnosticDescriptor ParameterByReference = Error(
        "GENRAY0005", Usage,
        "Remote parameters cannot be passed by reference",
        "Parameter '{0}' of '{1}' is passed by '{2}'; a remote call copies its arguments, so remove '{2}' and return what the caller needs");

    public static readonly DiagnosticDescriptor UnsupportedParameterType = Error(
        "GENRAY0006", Serialization,
        "Parameter type cannot be passed to a remote call",
        "Parameter '{0}' of '{1}' has type '{2}', which cannot be passed to a remote call: {3}");

    public static readonly DiagnosticDescriptor UnsupportedReturnType = Error(
        "GENRAY0007", Serialization,
        "Return type cannot be returned from a remote call",
        "'{0}' returns '{1}', which cannot come back from a remote call: {2}");

    public static readonly DiagnosticDescriptor AsyncVoid = Error(
        "GENRAY0008", Usage,
        "Remote method is async void",
        "'{0}' is async void; return Task (or ValueTask) so the caller sees when it finished and whether it failed");

    public static readonly DiagnosticDescriptor NameClash = Error(
        "GENRAY0009", Usage,
        "Name clashes with a generated member",
        "'{0}' clashes with {1}; rename it");

    public static readonly DiagnosticDescriptor GenericMethod = Error(
        "GENRAY0010", Usage,
        "Generic remote methods are not supported",
        "'{0}' is generic; a remote method must have a fixed signature, so write a non-generic method per type you need");

    public static readonly DiagnosticDescriptor GenericContainingType = Error(
        "GENRAY0011", Usage,
        "Remote members of generic types are not supported",
        "'{0}' is inside the generic type '{1}'; move it to a non-generic type");

    public static readonly DiagnosticDescriptor InvalidOption = Error(
        "GENRAY0012", Usage,
        "Invalid [Remote] option",
        "[Remote] option {0} on '{1}' is invalid: {2}");

    public static readonly DiagnosticDescriptor OptionDoesNotApply = Warning(
        "GENRAY0013", Usage,
        "[Remote] option does not apply",
        "[Remote] option {0} applies to {1} only; it has no effect on '{2}'");

    public static readonly DiagnosticDescriptor InaccessibleType = Error(
        "GENRAY0014", Usage,
        "Remote type is not accessible to generated code",
        "'{0}' is {1}; the generated stubs need it to be at least internal (and every enclosing type too)");

    public static readonly DiagnosticDescriptor UnsupportedContainingType = Error(
        "GENRAY0015", Usage,
        "Remote members must live in a class, struct or record",
        "'{0}' is declared in the {1} '{2}'; move it into a partial class, struct or record");

    public static readonly DiagnosticDescriptor ParameterCannotCross = Error(
        "GENRAY0016", Serialization,
        "Parameter type cannot cross a process",
        "Parameter '{0}' of '{1}' cannot cross a process: {2}: {3} — {4}");

    public static readonly DiagnosticDescriptor ResultCannotCross = Error(
        "GENRAY0017", Serialization,
        "Result type cannot cross a process",
        "The result of '{0}' cannot cross a process: {1}: {2} — {3}");

    // GENRAY0018 and GENRAY0019 stay reserved for the serializability analysis.

    public static readonly DiagnosticDescriptor GetInSubmittingLoop = Warning(
        "GENRAY0020", Performance,
        "Ray.Get inside the loop that submitted the ref",
        "Ray.Get waits for '{0}' in the same loop iteration that submitted it, so the calls run one after another; collect the refs in the loop and call Ray.Get on the list after it");

    public static readonly DiagnosticDescriptor BlockingWaitInAsyncCode = Warning(
        "GENRAY0021", Usage,
        "Blocking Ray.Get or Ray.Wait in async code",
        "Ray.{0} blocks a thread inside the async {1}; use 'await' on the ref (or Ray.GetAsync) so the thread is free while the object is not ready");

    public static readonly DiagnosticDescriptor LargeValueInLoop = Warning(
        "GENRAY0022", Performance,
        "The same large value is copied into remote calls in a loop",
        "'{0}' ({1}) is copied into every '{2}' call this loop makes; store it once before the loop with 'var {3} = Ray.Put({0});' and pass {3}");

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = All().ToDictionary(d => d.Id);

    public static IEnumerable<DiagnosticDescriptor> All() => typeof(DiagnosticDescriptors)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!);

    public static DiagnosticDescriptor? ById(string id) => s_byId.TryGetValue(id, out var descriptor) ? descriptor : null;

    private static DiagnosticDescriptor Error(string id, string category, string title, string message) =>
        new(id, title, message, category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(id));

    private static DiagnosticDescriptor Warning(string id, string category, string title, string message) =>
        new(id, title, message, category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(id));

    private static string HelpLink(string id) => $"{HelpLinkBase}#{id.ToLowerInvariant()}";
}
