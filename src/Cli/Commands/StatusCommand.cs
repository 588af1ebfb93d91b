using System.Text.Json;
using GenRay.Cli.Parsing;
using GenRay.Cli.Rendering;
using GenRay.Cluster.Nodes;

namespace GenRay.Cli.Commands;

/// <summary><c>genray status [--address HOST:PORT] [--json]</c>: the cluster at a glance, or all of it as JSON.</summary>
internal static class StatusCommand
{
    internal static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "--json" };
    internal static readonly HashSet<string> Valued = new(ConnectionArguments.Options, StringComparer.Ordinal) { "--address" };

    public static int Run(IReadOnlyList<string> args, CliContext context, StatusSource source)
    {
        var parsed = ParsedArguments.Parse("status", args, Flags, Valued);
        var credentials = ConnectionArguments.Read(parsed, "status", EnvironmentCredentials.Read(context));
        var status = HeadStatus.Fetch(source, parsed.Address("status"), credentials, context);
        if (parsed.Has("--json"))
        {
            context.Out.WriteLine(JsonSerializer.Serialize(status, ControlJson.Default.ClusterStatus));
        }
        else
        {
            StatusView.Write(context.Out, status);
        }
        return 0;
    }
}
