namespace GenRay.Generator.Model;

/// <summary>
/// A type that crosses a process, and how: <paramref name="Registration"/> is the C# expression that creates its
/// formatter (registered by the module initializer of every remote that uses it); <paramref name="Object"/>
/// describes a user type whose formatter the generator writes itself.
/// </summary>
internal sealed record SerializableType(string FullName, string Registration, UserObject? Object);

/// <summary>
/// A user type (class, struct or record) serialized as a MessagePack array of its members: the constructor's
/// parameters first, in order, then the settable members.
/// </summary>
/// <param name="FullName">Fully qualified, without nullable annotation.</param>
/// <param name="DisplayName">The name errors show.</param>
/// <param name="FormatterName">The generated formatter class, in namespace <c>GenRay.Generated</c>.</param>
/// <param name="IsValueType">A struct: never null.</param>
/// <param name="CheckExactType">A class others can derive from: serializing a derived instance would drop members, so it is refused.</param>
/// <param name="Members">Every serialized member.</param>
/// <param name="ConstructorArguments">How many of <paramref name="Members"/> (from the start) the constructor takes.</param>
internal sealed record UserObject(
    string FullName,
    string DisplayName,
    string FormatterName,
    bool IsValueType,
    bool CheckExactType,
    EquatableArray<ObjectMember> Members,
    int ConstructorArguments);

/// <summary>A serialized member: its name as written in code, and its type (with nullable annotation).</summary>
internal sealed record ObjectMember(string Name, string Type);

/// <summary>Why a type reached from a remote's signature cannot cross a process, and where: <c>Job.Work</c>.</summary>
internal sealed record ShapeError(string Path, string Type, string Reason);
