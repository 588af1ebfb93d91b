using System.Text.Json;
using GenRay.Cli.Commands;
using GenRay.Cluster.Nodes;

namespace GenRay.Cli.Tests;

public sealed class CommandLineTests : IDisposable
{
    private readonly TestHome _home = new();

    private int Run(params string[] args) => CommandLine.Run(args, _home.Context, Clusters.Answering(Clusters.ThreeNodes()));

    [Theory]
    [InlineData("genray: give a command.")]
    [InlineData("genray: unknown command 'launch'.", "launch")]
    [InlineData("genray start: give either --head (start a cluster) or --address HOST:PORT (join one), not both.", "start", "--head", "--address", "h:1")]
    [InlineData("genray start: --resources takes name=amount pairs", "start", "--head", "--resources", "gpu:1")]
    [InlineData("genray status: unknown option '--adress'.", "status", "--adress", "h:1")]
    [InlineData("genray status: --address needs a value.", "status", "--address")]
    [InlineData("genray list: say what to list: nodes, actors, tasks or objects.", "list")]
    [InlineData("genray list: 'jobs' is not one of nodes, actors, tasks, objects.", "list", "jobs")]
    [InlineData("genray list: unexpected argument 'actors'.", "list", "nodes", "actors")]
    [InlineData("genray stop: unknown option '--now'.", "stop", "--now")]
    public void Argument_errors_exit_2_with_the_reason_and_usage(string message, params string[] args)
    {
        Assert.Equal(2, Run(args));

        Assert.StartsWith(message, _home.Error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Usage:", _home.Error.ToString(), StringComparison.Ordinal);
        Assert.Empty(_home.Out.ToString());
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("help")]
    [InlineData("start", "--help")]
    [InlineData("list", "-h")]
    public void Help_goes_to_standard_output_and_exits_0(params string[] args)
    {
        Assert.Equal(0, Run(args));

        Assert.StartsWith("Usage:", _home.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Status_without_any_address_exits_1_saying_what_to_do()
    {
        Assert.Equal(1, Run("status"));

        Assert.StartsWith("genray status: no cluster address. Pass --address HOST:PORT", _home.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Status_asks_the_resolved_head_with_the_given_credentials()
    {
        var asked = new List<(string Address, ClusterCredentials Credentials)>();
        _home.Variables[ClusterAddress.Variable] = "10.0.0.1:6380";
        _home.Variables[ClusterCredentials.TokenVariable] = "from-env";

        Assert.Equal(0, CommandLine.Run(["status", "--token", "from-flag"], _home.Context, Clusters.Answering(Clusters.ThreeNodes(), asked)));

        Assert.Equal([("10.0.0.1:6380", new ClusterCredentials("from-flag", null, null, null))], asked);
        Assert.StartsWith("GenRay cluster at 10.0.0.1:6380", _home.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Status_json_is_exactly_the_status_serialized()
    {
        var status = Clusters.ThreeNodes();

        Assert.Equal(0, Run("status", "--address", "10.0.0.1:6380", "--json"));

        var expected = JsonSerializer.Serialize(status, ControlJson.Default.ClusterStatus);
        Assert.Equal(expected + Environment.NewLine, _home.Out.ToString());
        using var document = JsonDocument.Parse(_home.Out.ToString());
        Assert.Equal("n-head", document.RootElement.GetProperty("nodes")[0].GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("nodes", "n-head", "nodes")]
    [InlineData("actors", "a-1", "actors")]
    [InlineData("tasks", "t-1", "tasks")]
    [InlineData("objects", "o-1", "objects")]
    public void List_json_is_the_selected_list_serialized(string kind, string firstId, string property)
    {
        Assert.Equal(0, Run("list", kind, "--json", "--address=10.0.0.1:6380"));

        using var printed = JsonDocument.Parse(_home.Out.ToString());
        using var whole = JsonDocument.Parse(JsonSerializer.Serialize(Clusters.ThreeNodes(), ControlJson.Default.ClusterStatus));
        Assert.Equal(JsonValueKind.Array, printed.RootElement.ValueKind);
        Assert.Equal(firstId, printed.RootElement[0].GetProperty("id").GetString());
        Assert.Equal(whole.RootElement.GetProperty(property).GetRawText(), printed.RootElement.GetRawText());
    }

    [Fact]
    public void List_prints_a_table_of_the_kind_asked_for()
    {
        Assert.Equal(0, Run("list", "actors", "--address", "10.0.0.1:6380"));

        Assert.Equal(
            """
              ID   CLASS    NAME  STATE       NODE  JOB
              a-1  Counter  main  ALIVE       n-2   job-1
              a-2  Counter  -     RESTARTING  -     job-1

            """.ReplaceLineEndings(), _home.Out.ToString());
    }

    [Fact]
    public void List_objects_shows_sizes_for_people()
    {
        Assert.Equal(0, Run("list", "objects", "--address", "10.0.0.1:6380"));

        Assert.Contains("o-1  3.0 MiB  n-2   31337   job-1", _home.Out.ToString(), StringComparison.Ordinal);
        Assert.Contains("o-2  512 B    -     driver  job-1", _home.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_list_says_so()
    {
        Assert.Equal(0, CommandLine.Run(["list", "tasks", "--address", "h:1"], _home.Context, Clusters.Answering(Clusters.Empty())));

        Assert.Equal("No tasks." + Environment.NewLine, _home.Out.ToString());
    }

    [Fact]
    public void A_head_that_refuses_exits_1_with_its_message()
    {
        StatusSource refusing = (_, _, _) => throw new RayException("the head at h:1 refused the cluster token: pass --token or set GENRAY_TOKEN.");

        Assert.Equal(1, CommandLine.Run(["status", "--address", "h:1"], _home.Context, refusing));

        Assert.Equal("genray status: the head at h:1 refused the cluster token: pass --token or set GENRAY_TOKEN." + Environment.NewLine, _home.Error.ToString());
    }

    [Fact]
    public void A_head_that_does_not_answer_in_time_is_named()
    {
        StatusSource silent = async (_, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        };

        var error = Assert.Throws<CommandException>(() =>
            HeadStatus.Fetch(silent, "10.0.0.1:6380", ClusterCredentials.None, _home.Context, TimeSpan.FromMilliseconds(100)));

        Assert.Equal("the head at 10.0.0.1:6380 did not answer within 0.1 s.", error.Message);
    }

    public void Dispose() => _home.Dispose();
}
