namespace GenRay;

/// <summary>The task was cancelled with <see cref="Ray.Cancel(ObjectRef, bool)"/> before it produced its result.</summary>
public class TaskCancelledException : RayException
{
    /// <summary>Creates the error for a cancelled task.</summary>
    public TaskCancelledException(string message) : base(message) { }
}
