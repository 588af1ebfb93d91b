using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GenRay.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenRay.Generator.Parsing;

/// <summary>
/// Decides how each type reached from a remote's signature crosses a process: a MessagePack built-in, a built-in
/// generic formatter (collections, tuples, nullables), a GenRay formatter (refs, handles, primitive arrays as raw
/// bytes, enums), or a formatter the generator writes for a user type; or why it cannot, with the path to it
/// (<c>Job.Work</c>). The generator emits what it finds; the analyzer reports the errors.
/// </summary>
internal sealed class TypeShapes
{
    private const string Formatters = "global::MessagePack.Formatters.";
    private const string GenRayFormatters = "global::GenRay.Serialization.";

    private static readonly Dictionary<string, string> s_collections = new()
    {
        ["System.Collections.Generic.List`1"] = "ListFormatter",
        ["System.Collections.Generic.Dictionary`2"] = "DictionaryFormatter",
        ["System.Collections.Generic.HashSet`1"] = "HashSetFormatter",
        ["System.Collections.Generic.Queue`1"] = "QueueFormatter",
        ["System.Collections.Generic.Stack`1"] = "StackFormatter",
        ["System.Collections.Generic.LinkedList`1"] = "LinkedListFormatter",
        ["System.Collections.Generic.SortedDictionary`2"] = "SortedDictionaryFormatter",
        ["System.Collections.Generic.SortedList`2"] = "SortedListFormatter",
        ["System.Collections.Generic.KeyValuePair`2"] = "KeyValuePairFormatter",
        ["System.Collections.Generic.IList`1"] = "InterfaceListFormatter2",
        ["System.Collections.Generic.ICollection`1"] = "InterfaceCollectionFormatter2",
        ["System.Collections.Generic.IEnumerable`1"] = "InterfaceEnumerableFormatter",
        ["System.Collections.Generic.IReadOnlyList`1"] = "InterfaceReadOnlyListFormatter",
        ["System.Collections.Generic.IReadOnlyCollection`1"] = "InterfaceReadOnlyCollectionFormatter",
        ["System.Collections.Generic.IDictionary`2"] = "InterfaceDictionaryFormatter",
        ["System.Collections.Generic.IReadOnlyDictionary`2"] = "InterfaceReadOnlyDictionaryFormatter",
        ["System.Collections.Generic.ISet`1"] = "InterfaceSetFormatter",
        ["System.Collections.Generic.IReadOnlySet`1"] = "InterfaceReadOnlySetFormatter",
        ["System.Collections.Concurrent.ConcurrentDictionary`2"] = "ConcurrentDictionaryFormatter",
        ["System.Collections.Concurrent.ConcurrentQueue`1"] = "ConcurrentQueueFormatter",
        ["System.Collections.Concurrent.ConcurrentStack`1"] = "ConcurrentStackFormatter",
        ["System.Collections.Concurrent.ConcurrentBag`1"] = "ConcurrentBagFormatter",
        ["System.Collections.ObjectModel.ReadOnlyCollection`1"] = "ReadOnlyCollectionFormatter",
        ["System.Collections.ObjectModel.ObservableCollection`1"] = "ObservableCollectionFormatter",
        ["System.Collections.ObjectModel.ReadOnlyDictionary`2"] = "ReadOnlyDictionaryFormatter",
    };

    // Types MessagePack's built-in resolver serializes as they are.
    private static readonly HashSet<string> s_builtins =
    [
        "System.DateTime", "System.DateTimeOffset", "System.TimeSpan", "System.Guid", "System.Uri", "System.Version",
        "System.DateOnly", "System.TimeOnly", "System.Half", "System.Text.StringBuilder", "System.Numerics.BigInteger",
        "System.Numerics.Complex", "System.Collections.BitArray", "GenRay.ObjectRef", "GenRay.Internal.Unit",
    ];

    private static readonly (string Type, string Reason)[] s_processBound =
    [
        ("System.IO.Stream", "a stream is an open handle in this process; pass its bytes (byte[]) or a path instead"),
        ("System.Threading.Thread", "a thread exists only in this process"),
        ("System.Threading.Tasks.Task", "a Task is work in progress in this process; pass an ObjectRef<T> (or the value) instead"),
        ("System.Threading.Tasks.ValueTask", "a ValueTask is work in progress in this process; pass an ObjectRef<T> (or the value) instead"),
        ("System.Threading.CancellationTokenSource", "a CancellationTokenSource lives in this process; declare a CancellationToken parameter on the [Remote] method and use Ray.Cancel"),
        ("System.Threading.CancellationToken", "GenRay supplies a CancellationToken only as a [Remote] method's own parameter"),
        ("System.Threading.WaitHandle", "a synchronization object exists only in this process"),
        ("System.Threading.SemaphoreSlim", "a synchronization object exists only in this process"),
        ("System.Threading.ManualResetEventSlim", "a synchronization object exists only in this process"),
        ("System.Runtime.InteropServices.SafeHandle", "a native handle belongs to this process"),
        ("System.Type", "a Type describes this process's loaded code; pass a name or an enum instead"),
        ("System.Reflection.MemberInfo", "reflection objects describe this process's loaded code"),
        ("System.Exception", "exceptions are not values GenRay sends; return an error value (a record or an enum) instead"),
        ("System.Delegate", "a delegate is code bound to this process; pass the data it needs and call a [Remote] method instead"),
        ("GenRay.Arg", "Arg<T> is the stubs' parameter type, not a value"),
        ("GenRay.RayRuntime", "the runtime belongs to this process"),
    ];

    private readonly Dictionary<string, SerializableType> _types = new();
    private readonly HashSet<string> _visited = new();
    private readonly List<ShapeError> _errors = new();
    private readonly CancellationToken _ct;

    private TypeShapes(CancellationToken ct) => _ct = ct;

    /// <summary>Every type reached from the given roots (parameters and results), and the errors found.</summary>
    public static (EquatableArray<SerializableType> Types, EquatableArray<ShapeError> Errors) Analyze(
        IEnumerable<ITypeSymbol> roots, CancellationToken ct)
    {
        var shapes = new TypeShapes(ct);
        foreach (var root in roots)
        {
            shapes.Visit(root, SymbolFacts.DisplayType(root));
        }
        return (shapes._types.Values.ToEquatableArray(), shapes._errors.ToEquatableArray());
    }

    /// <summary>The errors for one root type, with paths starting at it (for the analyzer).</summary>
    public static IReadOnlyList<ShapeError> Errors(ITypeSymbol root, CancellationToken ct)
    {
        var shapes = new TypeShapes(ct);
        shapes.Visit(root, SymbolFacts.DisplayType(root));
        return shapes._errors;
    }

    private void Visit(ITypeSymbol type, string path)
    {
        _ct.ThrowIfCancellationRequested();
        if (type.IsReferenceType)
        {
            type = type.WithNullableAnnotation(NullableAnnotation.NotAnnotated);
        }
        var fullName = type.ToDisplayString(SymbolFacts.TypeFormat);
        if (!_visited.Add(fullName))
        {
            return;
        }

        if (type.TypeKind == TypeKind.Error || type.SpecialType is SpecialType.System_Void)
        {
            return;
        }
        if (SymbolFacts.UnsupportedTypeReason(type) is { } pointerLike)
        {
            Error(path, type, pointerLike);
            return;
        }
        switch (type)
        {
            case ITypeParameterSymbol:
                Error(path, type, "a type parameter has no fixed type to serialize");
                return;
            case IArrayTypeSymbol array:
                VisitArray(array, fullName, path);
                return;
            case INamedTypeSymbol named:
                VisitNamed(named, fullName, path);
                return;
            default:
                Error(path, type, "it is not a type GenRay can serialize");
                return;
        }
    }

    private void VisitArray(IArrayTypeSymbol array, string fullName, string path)
    {
        var element = array.ElementType;
        var elementName = element.ToDisplayString(SymbolFacts.TypeFormat);
        if (array.Rank == 1 && element.SpecialType == SpecialType.System_Byte)
        {
            return; // MessagePack's bin format
        }
        if (IsBlittable(element))
        {
            var formatter = array.Rank switch
            {
                1 => $"{GenRayFormatters}BlittableArrayFormatter<{elementName}>",
                2 => $"{GenRayFormatters}BlittableArray2Formatter<{elementName}>",
                3 => $"{GenRayFormatters}BlittableArray3Formatter<{elementName}>",
                4 => $"{Formatters}FourDimensionalArrayFormatter<{elementName}>",
                _ => null,
            };
            if (formatter is null)
            {
                Error(path, array, "arrays of more than four dimensions are not supported");
                return;
            }
            Add(fullName, $"new {formatter}()");
            return;
        }
        var general = array.Rank switch
        {
            1 => "ArrayFormatter",
            2 => "TwoDimensionalArrayFormatter",
            3 => "ThreeDimensionalArrayFormatter",
            4 => "FourDimensionalArrayFormatter",
            _ => null,
        };
        if (general is null)
        {
            Error(path, array, "arrays of more than four dimensions are not supported");
            return;
        }
        Add(fullName, $"new {Formatters}{general}<{elementName}>()");
        Visit(element, path + "[]");
    }

    private void VisitNamed(INamedTypeSymbol type, string fullName, string path)
    {
        if (type.TypeKind == TypeKind.Delegate)
        {
            Error(path, type, "a delegate is code bound to this process; pass the data it needs and call a [Remote] method instead");
            return;
        }
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean or SpecialType.System_Char or SpecialType.System_SByte or SpecialType.System_Byte
                or SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_Int32 or SpecialType.System_UInt32
                or SpecialType.System_Int64 or SpecialType.System_UInt64 or SpecialType.System_Single or SpecialType.System_Double
                or SpecialType.System_Decimal or SpecialType.System_String or SpecialType.System_DateTime:
                return;
            case SpecialType.System_Object:
                Error(path, type, "'object' has no type the receiver could construct; declare a concrete type");
                return;
            case SpecialType.System_IntPtr or SpecialType.System_UIntPtr:
                Error(path, type, "a native-sized integer is a pointer-sized handle of this process; use int or long");
                return;
        }
        var metadataName = MetadataName(type);
        if (s_builtins.Contains(metadataName))
        {
            return;
        }
        if (type.TypeKind == TypeKind.Enum)
        {
            var underlying = type.EnumUnderlyingType!.ToDisplayString(SymbolFacts.TypeFormat);
            Add(fullName, $"new {GenRayFormatters}EnumFormatter<{fullName}, {underlying}>()");
            return;
        }
        if (type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
        {
            var inner = type.TypeArguments[0];
            Add(fullName, $"new {Formatters}NullableFormatter<{inner.ToDisplayString(SymbolFacts.TypeFormat)}>()");
            Visit(inner, path);
            return;
        }
        var definition = MetadataName(type.OriginalDefinition);
        switch (definition)
        {
            case "GenRay.ObjectRef`1":
                Add(fullName, $"new {GenRayFormatters}ObjectRefFormatter<{Argument(type, 0)}>()");
                Visit(type.TypeArguments[0], path + "'s value");
                return;
            case "GenRay.ActorHandle`1":
                Add(fullName, $"new {GenRayFormatters}ActorHandleFormatter<{Argument(type, 0)}>()");
                return;
        }
        if (s_collections.TryGetValue(definition, out var collection))
        {
            Add(fullName, $"new {Formatters}{collection}<{string.Join(", ", type.TypeArguments.Select((_, i) => Argument(type, i)))}>()");
            VisitArguments(type, path);
            return;
        }
        if (definition.StartsWith("System.ValueTuple`", System.StringComparison.Ordinal) || definition.StartsWith("System.Tuple`", System.StringComparison.Ordinal))
        {
            if (type.TypeArguments.Length > 7)
            {
                Error(path, type, "tuples of more than seven elements are not supported; use a record");
                return;
            }
            var formatter = definition.StartsWith("System.ValueTuple", System.StringComparison.Ordinal) ? "ValueTupleFormatter" : "TupleFormatter";
            Add(fullName, $"new {Formatters}{formatter}<{string.Join(", ", type.TypeArguments.Select((_, i) => Argument(type, i)))}>()");
            for (var i = 0; i < type.TypeArguments.Length; i++)
            {
                Visit(type.TypeArguments[i], $"{path}.Item{i + 1}");
            }
            return;
        }
        var lineage = Lineage(type);
        foreach (var (bound, reason) in s_processBound)
        {
            if (DerivesFrom(lineage, bound))
            {
                Error(path, type, reason);
                return;
            }
        }
        if (IsFrameworkType(type))
        {
            Error(path, type, "GenRay does not know how to serialize this framework type; use a primitive, a string, an array, a collection or a type of your own");
            return;
        }
        VisitUserType(type, fullName, path);
    }

    private void VisitArguments(INamedTypeSymbol type, string path)
    {
        var single = type.TypeArguments.Length == 1;
        for (var i = 0; i < type.TypeArguments.Length; i++)
        {
            var suffix = single ? "[]" : i == 0 ? "[key]" : "[value]";
            Visit(type.TypeArguments[i], path + suffix);
        }
    }

    private void VisitUserType(INamedTypeSymbol type, string fullName, string path)
    {
        if (type.TypeKind == TypeKind.Interface)
        {
            Error(path, type, "an interface has no members the receiver could construct; declare a concrete type");
            return;
        }
        if (type.IsAbstract)
        {
            Error(path, type, "an abstract class cannot be constructed by the receiver; declare a concrete type");
            return;
        }
        if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            Error(path, type, "it is not a class, struct or record");
            return;
        }
        var accessibility = SymbolFacts.EffectiveAccessibility(type);
        if (accessibility is not (Accessibility.Public or Accessibility.Internal))
        {
            Error(path, type, "it is private to another type, so generated code cannot read or build it; make it internal or public");
            return;
        }

        var members = SerializableMembers(type);
        var constructor = ChooseConstructor(type, members);
        if (constructor is null)
        {
            Error(path, type, "it needs a public constructor: parameterless, or one whose parameters are named like its members");
            return;
        }

        var ordered = new List<(string Name, ITypeSymbol Type)>();
        foreach (var parameter in constructor.Parameters)
        {
            var member = members.First(m => string.Equals(m.Name, parameter.Name, System.StringComparison.OrdinalIgnoreCase));
            ordered.Add((member.Name, member.Type));
        }
        foreach (var member in members)
        {
            if (!ordered.Any(o => o.Name == member.Name) && member.Settable)
            {
                ordered.Add((member.Name, member.Type));
            }
        }

        var formatter = $"{Sanitize(fullName)}_{SymbolFacts.Hash(fullName)}_Formatter";
        var model = new UserObject(
            fullName,
            SymbolFacts.DisplayType(type),
            formatter,
            type.IsValueType,
            CheckExactType: !type.IsValueType && !type.IsSealed,
            ordered.Select(m => new ObjectMember(Escape(m.Name), m.Type.ToDisplayString(SymbolFacts.TypeFormat))).ToEquatableArray(),
            constructor.Parameters.Length);
        _types[fullName] = new SerializableType(fullName, $"new global::GenRay.Generated.{formatter}()", model);

        foreach (var member in ordered)
        {
            Visit(member.Type, $"{path}.{member.Name}");
        }
    }

    /// <summary>Public instance fields and properties, most derived first; each notes whether it can be assigned.</summary>
    private static List<(string Name, ITypeSymbol Type, bool Settable)> SerializableMembers(INamedTypeSymbol type)
    {
        var result = new List<(string, ITypeSymbol, bool)>();
        var seen = new HashSet<string>();
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object && current.SpecialType != SpecialType.System_ValueType; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                if (member.IsStatic || member.DeclaredAccessibility != Accessibility.Public || member.IsImplicitlyDeclared && member is not IPropertySymbol || Ignored(member))
                {
                    continue;
                }
                switch (member)
                {
                    case IFieldSymbol { IsConst: false } field when seen.Add(field.Name):
                        result.Add((field.Name, field.Type, !field.IsReadOnly));
                        break;
                    case IPropertySymbol { IsIndexer: false, GetMethod.DeclaredAccessibility: Accessibility.Public } property
                        when property.Name != "EqualityContract" && seen.Add(property.Name):
                        result.Add((property.Name, property.Type, property.SetMethod is { DeclaredAccessibility: Accessibility.Public }));
                        break;
                }
            }
        }
        return result;
    }

    private static bool Ignored(ISymbol member) => member.GetAttributes().Any(a =>
        a.AttributeClass?.ToDisplayString() is "System.Runtime.Serialization.IgnoreDataMemberAttribute" or "System.NonSerializedAttribute"
            or "MessagePack.IgnoreMemberAttribute");

    /// <summary>
    /// The public constructor with the most parameters that all name members (case-insensitively, same type),
    /// so records and immutable classes are rebuilt through their constructor; else the parameterless one.
    /// </summary>
    private static IMethodSymbol? ChooseConstructor(INamedTypeSymbol type, List<(string Name, ITypeSymbol Type, bool Settable)> members)
    {
        IMethodSymbol? best = null;
        foreach (var constructor in type.InstanceConstructors)
        {
            if (constructor.DeclaredAccessibility != Accessibility.Public)
            {
                continue;
            }
            if (IsCopyConstructor(type, constructor))
            {
                continue;
            }
            var matches = constructor.Parameters.All(p => p.RefKind == RefKind.None && members.Any(m =>
                string.Equals(m.Name, p.Name, System.StringComparison.OrdinalIgnoreCase)
                && SymbolEqualityComparer.Default.Equals(m.Type.WithNullableAnnotation(NullableAnnotation.None), p.Type.WithNullableAnnotation(NullableAnnotation.None))));
            if (matches && (best is null || constructor.Parameters.Length > best.Parameters.Length))
            {
                best = constructor;
            }
        }
        return best;
    }

    private static bool IsCopyConstructor(INamedTypeSymbol type, IMethodSymbol constructor) =>
        constructor.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(constructor.Parameters[0].Type.WithNullableAnnotation(NullableAnnotation.None), type);

    private void Add(string fullName, string registration) => _types[fullName] = new SerializableType(fullName, registration, null);

    private void Error(string path, ITypeSymbol type, string reason) =>
        _errors.Add(new ShapeError(path, SymbolFacts.DisplayType(type), reason));

    private static string Argument(INamedTypeSymbol type, int index) => type.TypeArguments[index].ToDisplayString(SymbolFacts.TypeFormat);

    private static bool IsBlittable(ITypeSymbol type) => type.SpecialType is SpecialType.System_SByte or SpecialType.System_Int16
        or SpecialType.System_UInt16 or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64
        or SpecialType.System_UInt64 or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Char;

    /// <summary>The metadata names of the type's definition and of its base classes' definitions.</summary>
    private static List<string> Lineage(INamedTypeSymbol type)
    {
        var names = new List<string>();
        for (var current = type; current is not null; current = current.BaseType)
        {
            names.Add(MetadataName(current.OriginalDefinition));
        }
        return names;
    }

    private static bool DerivesFrom(List<string> lineage, string metadataName)
    {
        foreach (var name in lineage)
        {
            if (name == metadataName || (name.StartsWith(metadataName, System.StringComparison.Ordinal)
                && name.Length > metadataName.Length && name[metadataName.Length] == '`'))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsFrameworkType(INamedTypeSymbol type)
    {
        if (type.ContainingAssembly?.Name is "GenRay" or "GenRay.Attributes")
        {
            return true;
        }
        var ns = type.ContainingNamespace?.ToDisplayString() ?? "";
        return ns == "System" || ns.StartsWith("System.", System.StringComparison.Ordinal)
            || ns == "Microsoft" || ns.StartsWith("Microsoft.", System.StringComparison.Ordinal);
    }

    private static string MetadataName(INamedTypeSymbol type)
    {
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() + "." : "";
        var names = new List<string>();
        for (var current = type; current is not null; current = current.ContainingType)
        {
            names.Insert(0, current.MetadataName);
        }
        return ns + string.Join("+", names);
    }

    private static string Sanitize(string fullName) =>
        new string(fullName.Replace("global::", "").Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray()).Trim('_');

    private static string Escape(string name) =>
        Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(name) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + name : name;
}
