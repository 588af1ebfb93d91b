namespace GenRay.Cluster;

/// <summary>
/// A process a driver answers over a connection: one of its workers, or another job's driver calling the actors
/// this job named. Both submit actor calls and subscribe to objects; both are told outcomes as ObjectReady messages.
/// </summary>
internal interface IDriverClient
{
    /// <summary>For messages: <c>worker 1 (pid 42)</c>, <c>the driver of job-0002 (pid 77)</c>.</summary>
    string Name { get; }

    /// <summary>Gone: nothing more is sent to it.</summary>
    bool IsLost { get; }

    /// <summary>Sends an encoded message (copied before this returns).</summary>
    void Send(ReadOnlySpan<byte> message);

    /// <summary>Tells it where <paramref name="value"/> is (or its error), once it is complete.</summary>
    void ObjectReady(ObjectRef value);
}
