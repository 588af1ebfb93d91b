namespace GenRay;

/// <summary>Something waiting for an <see cref="ObjectRef"/> to become ready: a dependent task, a blocked
/// <c>Get</c>, an <c>await</c>. Called once, on the thread that completed the object, so it must be short
/// and must never run user code inline.</summary>
internal interface IObjectListener
{
    void OnObjectReady(ObjectRef completed);
}
