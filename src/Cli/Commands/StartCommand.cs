using GenRay.Cli.Parsing;
using GenRay.Cli.State;

namespace GenRay.Cli.Commands;

/// <summary>
/// <c>genray start</c>: a head (<c>--head</c>) or a node joining one (<c>--address</c>), detached in the background
/// by default, in the foreground with <c>--block</c> (containers, where the daemon is the container's process).
/// </summary>
internal static class StartCommand
{
    /// <summary>Long enough for a cold .NET start on a loaded machine; a daemon that is not serving by then is stuck.</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        var options = StartArguments.Parse(args, EnvironmentCredentials.Read(context));
        if (options.Block)
        {
            return DaemonCommand.Serve(options, context, log: null, record =>
            {
                context.Out.WriteLine(Announcement(record, options));
                context.Out.WriteLine("Running in the foreground: SIGTERM or Ctrl+C stops it.");
                context.Out.Flush();
            });
        }

        var command = SelfCommand.CommandLine([DaemonCommand.Name, .. options.ToDaemonArguments()]);
        var launch = DetachedLaunch.Start(context.State, options.Role, command, options.CredentialVariables(), ReadyTimeout);
        if (launch.Ready is { } record)
        {
            context.Out.WriteLine(Announcement(record, options));
            context.Out.WriteLine($"Log: {record.Log}. Stop it with `genray stop`.");
            return 0;
        }

        context.Error.WriteLine(launch.ExitCode is { } code
            ? $"genray start: the {options.Role} exited with code {code} before it was serving. The end of its log ({launch.Log}):"
            : $"genray start: the {options.Role} (pid {launch.Pid}) was not serving after {ReadyTimeout.TotalSeconds:0} s, so it was killed. The end of its log ({launch.Log}):");
        context.Error.WriteLine(DetachedLaunch.Tail(launch.Log, 30));
        return 1;
    }

    /// <summary>What a person needs next: where the daemon is, and how drivers and other nodes reach it.</summary>
    public static string Announcement(RunRecord record, StartArguments options)
    {
        var token = options.Credentials.Token is null ? "" : " (with the same token: --token or GENRAY_TOKEN)";
        return record.IsHead
            ? $"GenRay head started at {record.Address} (pid {record.Pid}).{Environment.NewLine}" +
              $"Connect drivers with GENRAY_ADDRESS={record.Address} or RayOptions.Address{token}; " +
              $"add nodes with `genray start --address {record.Address}`."
            : $"GenRay node started at {record.Address} (pid {record.Pid}), joined to the head at {record.HeadAddress}{token}.";
    }
}
