using System.Diagnostics;

namespace GenRay.Cli.Commands;

/// <summary>
/// This same tool, run again with other arguments: how <c>start</c> launches its daemon and a daemon its job workers.
/// Run as a .NET tool or an app host, the process path is the tool itself; under <c>dotnet genray.dll</c> or
/// <c>dotnet run</c> it is the dotnet host, which needs the assembly's path.
/// </summary>
internal static class SelfCommand
{
    public static List<string> CommandLine(params string[] args)
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("This process cannot tell where its executable is.");
        var command = new List<string> { process };
        if (Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            command.AddRange(["exec", typeof(SelfCommand).Assembly.Location]);
        }
        command.AddRange(args);
        return command;
    }

    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var line = CommandLine(args);
        var start = new ProcessStartInfo(line[0]) { UseShellExecute = false };
        foreach (var arg in line.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }
        return start;
    }
}
