using MessagePack;
using MessagePack.Formatters;

namespace GenRay.Serialization;

/// <summary>An <see cref="ObjectRef{T}"/> inside a value: written as a reference, by the current <see cref="WireContext"/>.</summary>
public sealed class ObjectRefFormatter<T> : IMessagePackFormatter<ObjectRef<T>?>
{
    /// <inheritdoc />
    public void Serialize(ref MessagePackWriter writer, ObjectRef<T>? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        WireContext.Current.WriteRef(ref writer, value);
    }

    /// <inheritdoc />
    public ObjectRef<T>? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        reader.TryReadNil() ? null : WireContext.Current.ReadRef<T>(ref reader);
}

/// <summary>A value-less <see cref="ObjectRef"/> inside a value.</summary>
internal sealed class VoidObjectRefFormatter : IMessagePackFormatter<ObjectRef?>
{
    public void Serialize(ref MessagePackWriter writer, ObjectRef? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        WireContext.Current.WriteRef(ref writer, value);
    }

    public ObjectRef? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        reader.TryReadNil() ? null : WireContext.Current.ReadVoidRef(ref reader);
}

/// <summary>An <see cref="ActorHandle{T}"/> inside a value: the same actor on the other side.</summary>
public sealed class ActorHandleFormatter<T> : IMessagePackFormatter<ActorHandle<T>>
    where T : class
{
    /// <inheritdoc />
    public void Serialize(ref MessagePackWriter writer, ActorHandle<T> value, MessagePackSerializerOptions options)
    {
        if (value.IsDefault)
        {
            writer.WriteNil();
            return;
        }
        WireContext.Current.WriteActor(ref writer, value.Actor);
    }

    /// <inheritdoc />
    public ActorHandle<T> Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        reader.TryReadNil() ? default : new ActorHandle<T>(WireContext.Current.ReadActor(ref reader, typeof(T)));
}
