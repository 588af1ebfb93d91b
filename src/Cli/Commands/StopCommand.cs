using System.Diagnostics;
using GenRay.Cli.Parsing;
using GenRay.Cli.State;

namespace GenRay.Cli.Commands;

/// <summary>
/// <c>genray stop [--force]</c>: stops the daemons this machine's <c>genray start</c> started, and only those, by the
/// pids in their run records. SIGTERM first, so a daemon ends its workers and leaves the cluster cleanly; SIGKILL
/// for any still running after the grace period (at once with <c>--force</c>). Records whose process is gone, or
/// whose pid now belongs to another program, are only removed.
/// </summary>
internal static class StopCommand
{
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    private static readonly HashSet<string> s_flags = new(StringComparer.Ordinal) { "--force" };

    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        var parsed = ParsedArguments.Parse("stop", args, s_flags, new HashSet<string>());
        return Stop(context, parsed.Has("--force"), Grace);
    }

    public static int Stop(CliContext context, bool force, TimeSpan grace)
    {
        var signalled = new List<RunRecord>();
        foreach (var (path, record) in RunRecords.All(context.State))
        {
            if (record is null)
            {
                File.Delete(path);
                context.Out.WriteLine($"Removed an unreadable run record ({path}).");
            }
            else if (!LocalProcess.IsRunning(record))
            {
                RunRecords.Delete(context.State, record.Pid);
                context.Out.WriteLine($"Removed the record of the {record.Role} at {record.Address} (pid {record.Pid}): it is no longer running.");
            }
            else
            {
                LocalProcess.Signal(record.Pid, force ? LocalProcess.SigKill : LocalProcess.SigTerm);
                signalled.Add(record);
            }
        }
        if (signalled.Count == 0)
        {
            context.Out.WriteLine("No GenRay processes started on this machine are running.");
            return 0;
        }

        WaitForExit(signalled, grace);
        var failed = false;
        foreach (var record in signalled)
        {
            var how = force ? "Killed" : "Stopped";
            var why = "";
            if (LocalProcess.IsRunning(record))
            {
                LocalProcess.Signal(record.Pid, LocalProcess.SigKill);
                WaitForExit([record], TimeSpan.FromSeconds(5));
                (how, why) = ("Killed", $": it was still running {grace.TotalSeconds:0.#} s after SIGTERM");
            }
            if (LocalProcess.IsRunning(record))
            {
                context.Error.WriteLine($"genray stop: could not stop the {record.Role} at {record.Address} (pid {record.Pid}); is it another user's?");
                failed = true;
                continue;
            }
            RunRecords.Delete(context.State, record.Pid);
            context.Out.WriteLine($"{how} the {record.Role} at {record.Address} (pid {record.Pid}){why}.");
        }
        return failed ? 1 : 0;
    }

    private static void WaitForExit(List<RunRecord> records, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (records.Any(LocalProcess.IsRunning) && clock.Elapsed < timeout)
        {
            Thread.Sleep(50);
        }
    }
}
