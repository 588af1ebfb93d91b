using System.Diagnostics;

namespace GenRay.Benchmarks;

/// <summary>
/// This benchmark program started again as a child, given one flag, its standard input and output redirected: how
/// the baselines' servers (the gRPC echo server, the Orleans silo) run in a process of their own. The child writes
/// where it serves on its first line and stops when its input closes.
/// </summary>
internal static class SelfProcess
{
    public static Process Start(string flag)
    {
        var self = Environment.ProcessPath!;
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(typeof(SelfProcess).Assembly.Location); // run as `dotnet GenRay.Benchmarks.dll`
        }
        info.ArgumentList.Add(flag);
        return Process.Start(info)!;
    }
}
