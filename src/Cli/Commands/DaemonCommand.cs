using System.Runtime.InteropServices;
using GenRay.Cli.Parsing;
using GenRay.Cli.State;
using GenRay.Cluster.Nodes;

namespace GenRay.Cli.Commands;

/// <summary>
/// A node daemon in this process: the hidden <c>__daemon</c> command <c>genray start</c> launches detached, and
/// <c>genray start --block</c> in the foreground. Either way it writes its run record once serving (that is what
/// <c>start</c> waits for and <c>stop</c> reads), stops on SIGTERM or Ctrl+C, and removes the record on the way out.
/// </summary>
internal static class DaemonCommand
{
    public const string Name = "__daemon";

    public static int RunDetached(IReadOnlyList<string> args, CliContext context)
    {
        var options = StartArguments.Parse(args, EnvironmentCredentials.Read(context), Name);
        return Serve(options, context, context.State.LogFile(options.Role, Environment.ProcessId), _ => { });
    }

    public static int Serve(StartArguments options, CliContext context, string? log, Action<RunRecord> announce)
    {
        using var stop = new CancellationTokenSource();
        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true;
            stop.Cancel();
        }
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        // Detached on a system without setsid, the daemon is still in the terminal's session: its hangup must not end it.
        using var hangup = log is null ? null : PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal => signal.Cancel = true);

        var pid = Environment.ProcessId;
        var processStart = LocalProcess.StartMark(pid);
        var daemon = options.ToDaemonOptions(() => SelfCommand.StartInfo(WorkerCommand.Name), context.State.Cache);
        try
        {
            return NodeDaemon.Run(daemon, address =>
            {
                var record = new RunRecord(pid, options.Role, address, options.HeadAddress, DateTimeOffset.UtcNow, log, processStart);
                RunRecords.Write(context.State, record);
                announce(record);
            }, stop.Token);
        }
        finally
        {
            RunRecords.Delete(context.State, pid);
        }
    }
}
