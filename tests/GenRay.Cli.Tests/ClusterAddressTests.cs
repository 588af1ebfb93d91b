using GenRay.Cli.Commands;

namespace GenRay.Cli.Tests;

public sealed class ClusterAddressTests : IDisposable
{
    private readonly TestHome _home = new();

    [Fact]
    public void The_option_comes_first()
    {
        _home.Variables[ClusterAddress.Variable] = "10.0.0.9:6380";
        _home.Record(Environment.ProcessId, address: "127.0.0.1:6380");

        Assert.Equal("10.0.0.1:7000", ClusterAddress.Resolve("10.0.0.1:7000", _home.Context));
    }

    [Fact]
    public void Then_GENRAY_ADDRESS()
    {
        _home.Variables[ClusterAddress.Variable] = "10.0.0.9:6380";
        _home.Record(Environment.ProcessId, address: "127.0.0.1:6380");

        Assert.Equal("10.0.0.9:6380", ClusterAddress.Resolve(null, _home.Context));
    }

    [Fact]
    public void A_malformed_GENRAY_ADDRESS_is_named()
    {
        _home.Variables[ClusterAddress.Variable] = "head";

        var error = Assert.Throws<CommandException>(() => ClusterAddress.Resolve(null, _home.Context));

        Assert.Contains("GENRAY_ADDRESS: 'head' is not HOST:PORT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Then_the_head_this_machine_started()
    {
        // This test process stands in for a running daemon: its record has its true pid and start mark.
        _home.Record(Environment.ProcessId, role: "head", address: "127.0.0.1:6390");

        Assert.Equal("127.0.0.1:6390", ClusterAddress.Resolve(null, _home.Context));
    }

    [Fact]
    public void A_node_this_machine_started_leads_to_its_head()
    {
        _home.Record(Environment.ProcessId, role: "node", address: "127.0.0.1:41000", headAddress: "10.0.0.1:6380");

        Assert.Equal("10.0.0.1:6380", ClusterAddress.Resolve(null, _home.Context));
    }

    [Fact]
    public void A_head_that_is_no_longer_running_is_not_asked()
    {
        _home.Record(Environment.ProcessId, role: "head", address: "127.0.0.1:6390", processStart: "not this process");

        var error = Assert.Throws<CommandException>(() => ClusterAddress.Resolve(null, _home.Context));

        Assert.Contains("Pass --address HOST:PORT, set GENRAY_ADDRESS=HOST:PORT, or start a head on this machine with `genray start --head`", error.Message, StringComparison.Ordinal);
        Assert.Contains(_home.State.Root, error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _home.Dispose();
}
