using System.ComponentModel;
using GenRay.Serialization;
using MessagePack;
using MessagePack.Formatters;

namespace GenRay.Internal;

/// <summary>
/// Reads and writes a remote call's arguments. Each argument is <c>[0, value]</c>, or <c>[1, reference]</c> for a
/// dependency the receiver must resolve itself (an object that lives elsewhere). For generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Wire
{
    private const int ByValue = 0;
    private const int ByReference = 1;

    /// <summary>The serializer options every GenRay value uses.</summary>
    public static MessagePackSerializerOptions Options => WireOptions.Instance;

    /// <summary>Registers the formatter the generator emitted (or chose) for <typeparamref name="T"/>.</summary>
    public static void Register<T>(IMessagePackFormatter<T> formatter) => FormatterCache<T>.Instance ??= formatter;

    /// <summary>Starts a call's arguments.</summary>
    public static void WriteArgumentCount(ref MessagePackWriter writer, int count) => writer.WriteArrayHeader(count);

    /// <summary>Reads the argument count and checks it: a different count means the sender runs other code.</summary>
    public static void ReadArgumentCount(ref MessagePackReader reader, int expected, string remote)
    {
        var count = reader.ReadArrayHeader();
        if (count != expected)
        {
            throw new RayException(
                $"{remote} was sent {count} arguments but takes {expected}: the caller and this process run different builds of the code. " +
                "Start every process from the same build.");
        }
    }

    /// <summary>Reads a user type's member count and checks it: a different count means the sender runs other code.</summary>
    public static void ReadMemberCount(ref MessagePackReader reader, int expected, string type)
    {
        var count = reader.ReadArrayHeader();
        if (count != expected)
        {
            throw new MessagePackSerializationException(
                $"A {type} was sent with {count} members but has {expected} here: the sender runs a different build of the code.");
        }
    }

    /// <summary>
    /// Refuses to serialize an instance of a derived class through its base class's formatter, which would
    /// silently drop the derived members.
    /// </summary>
    public static void CheckExactType(object value, Type declared)
    {
        if (value.GetType() != declared)
        {
            throw new RayException(
                $"GenRay sends a value as its declared type {declared.Name}, but this one is a {value.GetType().Name}, whose own members would be lost. " +
                $"Declare the parameter or member as {value.GetType().Name}, or seal {declared.Name}.");
        }
    }

    /// <summary>Writes one argument: its value, or a reference when the receiver must fetch the object itself.</summary>
    public static void WriteArg<T>(ref MessagePackWriter writer, Arg<T> arg)
    {
        writer.WriteArrayHeader(2);
        if (arg.Ref is { } dependency && !WireContext.Current.InlinesDependency(dependency))
        {
            writer.Write(ByReference);
            WireContext.Current.WriteRef(ref writer, dependency);
            return;
        }
        writer.Write(ByValue);
        WireOptions.Formatter<T>().Serialize(ref writer, arg.Value, WireOptions.Instance);
    }

    /// <summary>Reads one argument written by <see cref="WriteArg{T}"/>.</summary>
    public static Arg<T> ReadArg<T>(ref MessagePackReader reader)
    {
        if (reader.ReadArrayHeader() != 2)
        {
            throw new MessagePackSerializationException("A remote call's argument is malformed.");
        }
        return reader.ReadInt32() switch
        {
            ByValue => new Arg<T>(WireOptions.Formatter<T>().Deserialize(ref reader, WireOptions.Instance)),
            ByReference => new Arg<T>(WireContext.Current.ReadRef<T>(ref reader)),
            var tag => throw new MessagePackSerializationException($"A remote call's argument has an unknown kind {tag}."),
        };
    }
}
