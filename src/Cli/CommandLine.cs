using GenRay.Cli.Commands;
using GenRay.Cli.Parsing;

namespace GenRay.Cli;

/// <summary>
/// Picks the command and maps failures to exit codes: 2 for a command line that cannot be understood (with usage),
/// 1 for a command that could not be done (with the reason), 0 otherwise.
/// </summary>
internal static class CommandLine
{
    public static int Run(IReadOnlyList<string> args, CliContext context, StatusSource? source = null)
    {
        source ??= HeadStatus.Ask;
        var command = args.Count > 0 ? args[0] : null;
        var rest = args.Skip(1).ToList();
        if (command is "-h" or "--help" or "help" || (command is not null && !command.StartsWith("__", StringComparison.Ordinal) && rest.Any(a => a is "-h" or "--help")))
        {
            Usage.Write(context.Out);
            return 0;
        }

        try
        {
            return command switch
            {
                null => throw new UsageException("genray: give a command."),
                "--version" => Version(context),
                "start" => StartCommand.Run(rest, context),
                "status" => StatusCommand.Run(rest, context, source),
                "list" => ListCommand.Run(rest, context, source),
                "stop" => StopCommand.Run(rest, context),
                DaemonCommand.Name => DaemonCommand.RunDetached(rest, context),
                WorkerCommand.Name => WorkerCommand.Run([.. rest]),
                _ => throw new UsageException($"genray: unknown command '{command}'."),
            };
        }
        catch (UsageException e)
        {
            context.Error.WriteLine(e.Message);
            context.Error.WriteLine();
            Usage.Write(context.Error);
            return 2;
        }
        catch (Exception e) when (e is CommandException or RayException)
        {
            context.Error.WriteLine($"genray {command}: {e.Message}");
            return 1;
        }
    }

    private static int Version(CliContext context)
    {
        context.Out.WriteLine($"genray {typeof(RayException).Assembly.GetName().Version?.ToString(3)}");
        return 0;
    }
}
