using System.Globalization;
using GenRay.Cluster.Nodes;

namespace GenRay.Cli.Rendering;

/// <summary>One table per kind of thing the head knows: what <c>genray list</c> prints, and <c>status</c> for its nodes and jobs.</summary>
internal static class ClusterTables
{
    public static bool IsDead(NodeInfo node) => node.State.Equals("DEAD", StringComparison.OrdinalIgnoreCase);

    public static void Nodes(TextWriter writer, IReadOnlyList<NodeInfo> nodes)
    {
        var table = new TextTable("ID", "ADDRESS", "ROLE", "STATE", "RESOURCES (USED/TOTAL)", "WORKERS", "HEARTBEAT", "VERSION");
        foreach (var node in nodes)
        {
            table.Add(
                node.Id,
                node.Address,
                node.IsHead ? "head" : "node",
                node.State,
                IsDead(node) ? null : Quantities.UsedOfTotal(node.Total, node.Available),
                node.Workers.ToString(CultureInfo.InvariantCulture),
                IsDead(node) ? null : Quantities.Seconds(node.SecondsSinceHeartbeat),
                node.Version);
        }
        table.Write(writer);
        foreach (var dead in nodes.Where(n => n.DeathReason is not null))
        {
            writer.WriteLine($"  {dead.Id} died: {dead.DeathReason}");
        }
    }

    public static void Jobs(TextWriter writer, IReadOnlyList<JobInfo> jobs)
    {
        var table = new TextTable("ID", "DRIVER", "STATE", "STARTED", "TASKS");
        foreach (var job in jobs)
        {
            table.Add(job.Id, job.Driver, job.State, Quantities.Time(job.Started), Quantities.ByState(job.Tasks));
        }
        table.Write(writer);
    }

    public static void Actors(TextWriter writer, IReadOnlyList<ActorInfo> actors)
    {
        var table = new TextTable("ID", "CLASS", "NAME", "STATE", "NODE", "JOB");
        foreach (var actor in actors)
        {
            table.Add(actor.Id, actor.Class, actor.Name, actor.State, actor.Node, actor.Job);
        }
        table.Write(writer);
    }

    public static void Tasks(TextWriter writer, IReadOnlyList<TaskInfo> tasks)
    {
        var table = new TextTable("ID", "NAME", "STATE", "NODE", "JOB");
        foreach (var task in tasks)
        {
            table.Add(task.Id, task.Name, task.State, task.Node, task.Job);
        }
        table.Write(writer);
    }

    public static void Objects(TextWriter writer, IReadOnlyList<ObjectInfo> objects)
    {
        var table = new TextTable("ID", "SIZE", "NODE", "HOLDER", "JOB");
        foreach (var o in objects)
        {
            table.Add(o.Id, Quantities.Bytes(o.Size), o.Node, o.Holder, o.Job);
        }
        table.Write(writer);
    }
}
