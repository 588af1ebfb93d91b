using GenRay.Cli.Rendering;

namespace GenRay.Cli.Tests;

public sealed class RenderingTests
{
    [Fact]
    public void Resources_read_used_of_total_with_CPUs_first()
    {
        var text = Quantities.UsedOfTotal(
            new Dictionary<string, double> { ["gpu"] = 1, ["CPU"] = 4, ["accel"] = 2 },
            new Dictionary<string, double> { ["gpu"] = 1, ["CPU"] = 3, ["accel"] = 0.5 });

        Assert.Equal("CPU 1.0/4.0, accel 1.5/2, gpu 0/1", text);
    }

    [Fact]
    public void A_resource_missing_from_available_is_all_in_use() =>
        Assert.Equal("CPU 0.5/0.5, gpu 2/2", Quantities.UsedOfTotal(new Dictionary<string, double> { ["CPU"] = 0.5, ["gpu"] = 2 }, new Dictionary<string, double>()));

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(3L * 1024 * 1024 * 1024, "3.0 GiB")]
    public void Sizes_are_in_binary_units(long bytes, string text) => Assert.Equal(text, Quantities.Bytes(bytes));

    [Fact]
    public void Table_columns_line_up_and_empty_cells_show_a_dash()
    {
        var writer = new StringWriter();

        new TextTable("ID", "NAME").Add("a-long-id", "x").Add("b", null).Write(writer);

        Assert.Equal(
            """
              ID         NAME
              a-long-id  x
              b          -

            """.ReplaceLineEndings(), writer.ToString());
    }

    [Fact]
    public void Objects_show_the_node_and_the_process_that_hold_each()
    {
        var writer = new StringWriter();

        ClusterTables.Objects(writer, Clusters.ThreeNodes().Objects);

        // A worker's value: its node and pid. The driver's: no node (a driver is on none), held by "driver".
        Assert.Equal(
            """
              ID   SIZE     NODE  HOLDER  JOB
              o-1  3.0 MiB  n-2   31337   job-1
              o-2  512 B    -     driver  job-1

            """.ReplaceLineEndings(), writer.ToString());
    }

    [Fact]
    public void Status_shows_nodes_with_resources_the_cluster_total_jobs_and_counts_by_state()
    {
        var writer = new StringWriter();
        var status = Clusters.ThreeNodes();

        StatusView.Write(writer, status);

        var started = Quantities.Time(status.Jobs[0].Started);
        Assert.Equal(
            $"""
            GenRay cluster at 10.0.0.1:6380 (version 0.1.0)

            Nodes: 2 alive, 1 dead
              ID      ADDRESS         ROLE  STATE  RESOURCES (USED/TOTAL)  WORKERS  HEARTBEAT  VERSION
              n-head  10.0.0.1:6380   head  ALIVE  CPU 1.0/4.0, gpu 0/1    2        0.3 s ago  0.1.0
              n-2     10.0.0.2:41000  node  ALIVE  CPU 7.5/8.0             4        1.5 s ago  0.1.0
              n-3     10.0.0.3:41000  node  DEAD   -                       0        -          0.1.0
              n-3 died: no heartbeat for 5 s

            Resources (alive nodes, used/total): CPU 8.5/12.0, gpu 0/1

            Jobs: 1
              ID     DRIVER       STATE    STARTED              TASKS
              job-1  laptop:4242  RUNNING  {started}  FINISHED 9, RUNNING 2

            Actors: 2 (ALIVE 1, RESTARTING 1)
            Tasks: 3 (FINISHED 2, RUNNING 1)
            Objects: 2 (3.0 MiB)

            """.ReplaceLineEndings(), writer.ToString());
    }

    [Fact]
    public void An_empty_cluster_says_none_rather_than_printing_empty_tables()
    {
        var writer = new StringWriter();

        StatusView.Write(writer, Clusters.Empty());

        var text = writer.ToString();
        Assert.Contains("Nodes: 0 alive", text, StringComparison.Ordinal);
        Assert.Contains("Resources (alive nodes, used/total): -", text, StringComparison.Ordinal);
        Assert.Contains("Jobs: none", text, StringComparison.Ordinal);
        Assert.Contains("Actors: none", text, StringComparison.Ordinal);
        Assert.Contains("Tasks: none", text, StringComparison.Ordinal);
        Assert.Contains("Objects: 0" + Environment.NewLine, text, StringComparison.Ordinal);
    }
}
