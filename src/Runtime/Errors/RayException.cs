namespace GenRay;

/// <summary>
/// The base of every error GenRay reports: misuse of the API (a stub called before <see cref="Ray.Init"/>,
/// a request the node can never satisfy) and failures of remote work seen through <see cref="Ray.Get{T}(ObjectRef{T}, TimeSpan?)"/>.
/// </summary>
public class RayException : Exception
{
    /// <summary>Creates an error with a message that says what went wrong and what to do.</summary>
    public RayException(string message) : base(message) { }

    /// <summary>Creates an error caused by <paramref name="innerException"/>.</summary>
    public RayException(string message, Exception? innerException) : base(message, innerException) { }
}
