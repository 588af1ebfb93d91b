using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using GenRay.Cli.Parsing;
using GenRay.Cli.Rendering;
using GenRay.Cluster.Nodes;

namespace GenRay.Cli.Commands;

/// <summary><c>genray list nodes|actors|tasks|objects [--address HOST:PORT] [--json]</c>: one kind of thing, each in full.</summary>
internal static class ListCommand
{
    public static int Run(IReadOnlyList<string> args, CliContext context, StatusSource source)
    {
        var parsed = ParsedArguments.Parse("list", args, StatusCommand.Flags, StatusCommand.Valued, maxPositionals: 1);
        var kind = parsed.Positionals.Count == 1
            ? parsed.Positionals[0]
            : throw new UsageException("genray list: say what to list: nodes, actors, tasks or objects.");
        if (kind is not ("nodes" or "actors" or "tasks" or "objects"))
        {
            throw new UsageException($"genray list: '{kind}' is not one of nodes, actors, tasks, objects.");
        }
        var credentials = ConnectionArguments.Read(parsed, "list", EnvironmentCredentials.Read(context));
        var status = HeadStatus.Fetch(source, parsed.Address("list"), credentials, context);
        var json = parsed.Has("--json");
        var types = ControlJson.Default;
        switch (kind)
        {
            case "nodes":
                Write(status.Nodes, types.ListNodeInfo, ClusterTables.Nodes);
                break;
            case "actors":
                Write(status.Actors, types.ListActorInfo, ClusterTables.Actors);
                break;
            case "tasks":
                Write(status.Tasks, types.ListTaskInfo, ClusterTables.Tasks);
                break;
            default:
                Write(status.Objects, types.ListObjectInfo, ClusterTables.Objects);
                break;
        }
        return 0;

        void Write<T>(List<T> items, JsonTypeInfo<List<T>> type, Action<TextWriter, IReadOnlyList<T>> table)
        {
            if (json)
            {
                context.Out.WriteLine(JsonSerializer.Serialize(items, type));
            }
            else if (items.Count == 0)
            {
                context.Out.WriteLine($"No {kind}.");
            }
            else
            {
                table(context.Out, items);
            }
        }
    }
}
