using System.Globalization;
using System.Runtime.InteropServices;

namespace GenRay.Cli.State;

/// <summary>
/// Processes on this machine by pid: whether one still runs, which program it is, and signals to it. Linux first:
/// <c>/proc/&lt;pid&gt;/stat</c> gives an exact start time (in clock ticks since boot), so a pid the kernel handed to
/// another program since is told apart from the daemon that recorded it.
/// </summary>
internal static partial class LocalProcess
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    /// <summary>What identifies this run of the process beside its pid; null when no process has the pid (or it is a zombie).</summary>
    public static string? StartMark(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            string stat;
            try
            {
                stat = File.ReadAllText($"/proc/{pid}/stat");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
            // The command name (field 2) is in parentheses and may itself hold spaces or ')': fields resume after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[0] is "Z" or "X" ? null : fields[19];
        }
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.HasExited ? null : process.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>True when the process that wrote <paramref name="record"/> still runs (not merely some process with its pid).</summary>
    public static bool IsRunning(RunRecord record) => StartMark(record.Pid) is { } mark && (record.ProcessStart is null || mark == record.ProcessStart);

    public static bool Signal(int pid, int signal)
    {
        if (OperatingSystem.IsWindows())
        {
            // No SIGTERM there: the only stop is a kill.
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill();
                return true;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                return false;
            }
        }
        return Kill(pid, signal) == 0;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
