namespace GenRay;

/// <summary><see cref="Ray.Get{T}(ObjectRef{T}, TimeSpan?)"/> gave up waiting: the object was not ready within the timeout.</summary>
public class GetTimeoutException : RayException
{
    /// <summary>Creates the error; the message names the object and the timeout.</summary>
    public GetTimeoutException(string message) : base(message) { }
}
