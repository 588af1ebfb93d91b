namespace GenRay;

/// <summary>
/// The actor cannot run the call: it was killed with <see cref="Ray.Kill{T}(ActorHandle{T}, bool)"/>, its
/// constructor threw (see <see cref="Exception.InnerException"/>), or its process was lost and no restart is left.
/// </summary>
public class ActorDiedException : RayException
{
    /// <summary>Creates the error; the message says why the actor is gone.</summary>
    public ActorDiedException(string message, Exception? innerException = null) : base(message, innerException) { }
}
