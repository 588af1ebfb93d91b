namespace GenRay.Tests.Cluster;

public static partial class ClusterRemotes
{
    /// <summary>The pid of the node daemon that started the worker running this (its parent process).</summary>
    [Remote]
    public static int DaemonPid(int millis)
    {
        Thread.Sleep(millis);
        return ParentPid();
    }

    [Remote]
    public static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();

    [Remote]
    public static (long Sum, int DaemonPid) SumThere(byte[] data) => (data.Sum(b => (long)b), ParentPid());

    public static int ParentPid() => ParentOf(Environment.ProcessId);

    public static int ParentOf(int pid)
    {
        // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after its closing parenthesis.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}

[Remote]
public sealed partial class NodeCounter
{
    private int _count;

    public int Next() => ++_count;

    public int DaemonPid() => ClusterRemotes.ParentPid();
}
