using System.Diagnostics;
using GenRay.Cli.State;

namespace GenRay.Cli.Commands;

/// <summary>The outcome of a detached start: the daemon's run record once it serves, or how it failed.</summary>
internal sealed record LaunchResult(int Pid, string Log, RunRecord? Ready, int? ExitCode);

/// <summary>
/// Starts a daemon that outlives this process and waits until it reports serving by writing its run record.
/// <para>
/// A small shell does the detaching: it sends the daemon's output to <c>logs/&lt;role&gt;-&lt;pid&gt;.log</c>
/// (so even a crash before any .NET code runs is logged), and execs <c>setsid</c> when there is one, so the daemon
/// leaves this terminal's session and survives its hangup. Every step execs, so the pid this process sees is the
/// daemon's, and names its log and run record.
/// </para>
/// </summary>
internal static class DetachedLaunch
{
    private const string Script = """log="$1/$2-$$.log"; shift 2; exec "$@" >>"$log" 2>&1 </dev/null""";

    public static LaunchResult Start(
        StateDirectory state, string role, IReadOnlyList<string> command, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout)
    {
        Directory.CreateDirectory(state.Logs);
        Directory.CreateDirectory(state.Run);
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = state.Root };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add("genray-launch");
        start.ArgumentList.Add(state.Logs);
        start.ArgumentList.Add(role);
        if (FindOnPath("setsid") is { } setsid)
        {
            start.ArgumentList.Add(setsid);
        }
        foreach (var arg in command)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment[StateDirectory.HomeVariable] = state.Root;
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("/bin/sh did not start.");
        var pid = process.Id;
        var log = state.LogFile(role, pid);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            // Exit is checked before the record, and the record once more after: a daemon that served and then
            // stopped at once still counts as started.
            var exited = process.HasExited;
            if (RunRecords.Read(state.RunFile(pid)) is { } record)
            {
                return new LaunchResult(pid, log, record, null);
            }
            if (exited)
            {
                return new LaunchResult(pid, log, null, process.ExitCode);
            }
            if (deadline.Elapsed > timeout)
            {
                LocalProcess.Signal(pid, LocalProcess.SigKill);
                return new LaunchResult(pid, log, null, null);
            }
            Thread.Sleep(100);
        }
    }

    public static string Tail(string path, int lines)
    {
        try
        {
            var all = File.ReadAllLines(path);
            return string.Join(Environment.NewLine, all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (IOException)
        {
            return "(no log was written)";
        }
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
}
