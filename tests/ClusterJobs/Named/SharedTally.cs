// An actor class two jobs share: compiled into this job program and into the test assembly (the other job), so
// both have it under the same name, which is what lets one job call the other's named actor.
using GenRay;

namespace GenRay.ClusterJobs;

[Remote]
public partial class SharedTally
{
    private readonly List<string> _entries = [];
    private int _total;

    /// <summary>Adds <paramref name="amount"/>, noting who added it; returns the new total.</summary>
    public int Add(int amount, string from)
    {
        _total += amount;
        _entries.Add($"{from}+{amount}");
        return _total;
    }

    public int Total() => _total;

    public List<string> Entries() => [.. _entries];

    /// <summary>A value big enough to be held by the actor's worker, not sent inline.</summary>
    public byte[] Block(int bytes) => Enumerable.Repeat((byte)7, bytes).ToArray();

    /// <summary>The process the actor lives in.</summary>
    public int Pid() => Environment.ProcessId;
}
