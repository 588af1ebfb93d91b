using GenRay.Cluster.Nodes;

namespace GenRay.Cli.Rendering;

/// <summary>
/// <c>genray status</c> for people: the nodes and what of their resources is in use, the cluster's total, the jobs,
/// and actors and tasks counted by state. The details of each are <c>genray list</c>'s.
/// </summary>
internal static class StatusView
{
    public static void Write(TextWriter writer, ClusterStatus status)
    {
        writer.WriteLine($"GenRay cluster at {status.Head} (version {status.Version})");

        var alive = status.Nodes.Where(n => !ClusterTables.IsDead(n)).ToList();
        var dead = status.Nodes.Count - alive.Count;
        writer.WriteLine();
        writer.WriteLine($"Nodes: {alive.Count} alive" + (dead > 0 ? $", {dead} dead" : ""));
        ClusterTables.Nodes(writer, status.Nodes);

        writer.WriteLine();
        writer.WriteLine("Resources (alive nodes, used/total): " + Quantities.UsedOfTotal(
            Quantities.Sum(alive.Select(n => n.Total)), Quantities.Sum(alive.Select(n => n.Available))));

        writer.WriteLine();
        if (status.Jobs.Count == 0)
        {
            writer.WriteLine("Jobs: none");
        }
        else
        {
            writer.WriteLine($"Jobs: {status.Jobs.Count}");
            ClusterTables.Jobs(writer, status.Jobs);
        }

        writer.WriteLine();
        writer.WriteLine($"Actors: {Counted(status.Actors.Select(a => a.State))}");
        writer.WriteLine($"Tasks: {Counted(status.Tasks.Select(t => t.State))}");
        writer.WriteLine($"Objects: {status.Objects.Count}" + (status.Objects.Count > 0 ? $" ({Quantities.Bytes(status.Objects.Sum(o => o.Size))})" : ""));
    }

    private static string Counted(IEnumerable<string> states)
    {
        var list = states.ToList();
        return list.Count == 0 ? "none" : $"{list.Count} ({Quantities.ByState(list)})";
    }
}
