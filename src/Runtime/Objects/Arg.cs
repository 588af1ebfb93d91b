using System.ComponentModel;

namespace GenRay;

/// <summary>
/// A stub parameter: either a plain <typeparamref name="T"/> or an <see cref="ObjectRef{T}"/> the call depends on.
/// Both convert implicitly, so <c>Work.Remote.Add(1, 2)</c> and <c>Work.Remote.Add(someRef, 2)</c> both compile.
/// When a ref is passed, the remote runs after the object is ready and receives its value, as in Ray.
/// </summary>
/// <remarks>
/// An omitted optional parameter is <c>default(Arg&lt;T&gt;)</c>, which the generated stub replaces by the
/// method's declared default value. A <c>null</c> literal for a reference-type parameter is ambiguous between
/// the two conversions; write <c>(string?)null</c> or name the type.
/// </remarks>
public readonly struct Arg<T>
{
    private readonly T _value;
    private readonly ObjectRef<T>? _ref;
    private readonly bool _isSpecified;

    /// <summary>An argument given by value.</summary>
    public Arg(T value)
    {
        _value = value;
        _ref = null;
        _isSpecified = true;
    }

    /// <summary>An argument given by reference: the call waits for the object and receives its value.</summary>
    public Arg(ObjectRef<T> reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        _value = default!;
        _ref = reference;
        _isSpecified = true;
    }

    /// <summary>Passes a value.</summary>
    public static implicit operator Arg<T>(T value) => new(value);

    /// <summary>Passes a ref: the call depends on it.</summary>
    public static implicit operator Arg<T>(ObjectRef<T> reference) => new(reference);

    /// <summary>The ref this argument depends on, if it was given as a ref. For generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ObjectRef<T>? Ref => _ref;

    /// <summary>False for an omitted optional argument. For generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public bool IsSpecified => _isSpecified;

    /// <summary>
    /// The argument's value; for a ref, the object's value (the call runs only once it is ready).
    /// For generated code.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public T Value => _ref is null ? _value : _ref.GetCompletedResult();

    /// <summary>This argument, or <paramref name="declaredDefault"/> when it was omitted. For generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Arg<T> OrDefault(T declaredDefault) => _isSpecified ? this : new Arg<T>(declaredDefault);

    /// <inheritdoc />
    public override string ToString() => _ref?.ToString() ?? _value?.ToString() ?? "null";
}
