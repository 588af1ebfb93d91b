namespace GenRay.Scheduling;

/// <summary>Work the node admits once its resources are free: a task, or an actor reserving its lifetime resources.</summary>
internal interface ISchedulable
{
    ResourceRequest Request { get; }

    /// <summary>Called once the resources are held; the work now owns them and releases them when done.</summary>
    void Start();

    /// <summary>The node stopped before the work was admitted.</summary>
    void Reject(Exception reason);
}
