using GenRay.Cli.Parsing;
using GenRay.Cluster.Nodes;

namespace GenRay.Cli.Tests;

public sealed class StartArgumentsTests
{
    private static StartArguments Parse(params string[] args) => StartArguments.Parse(args, ClusterCredentials.None);

    [Fact]
    public void A_head_defaults_to_port_6380_on_loopback()
    {
        var options = Parse("--head");

        Assert.True(options.IsHead);
        Assert.Equal("head", options.Role);
        Assert.Equal(6380, options.Port);
        Assert.Equal("127.0.0.1", options.Host);
        Assert.Null(options.NumCpus);
        Assert.Empty(options.Resources);
        Assert.False(options.Block);
    }

    [Fact]
    public void A_node_joins_the_address_and_takes_any_free_port()
    {
        var options = Parse("--address", "10.0.0.5:6380");

        Assert.False(options.IsHead);
        Assert.Equal("10.0.0.5:6380", options.HeadAddress);
        Assert.Equal(0, options.Port);
    }

    [Fact]
    public void Every_option_is_read_in_either_spelling()
    {
        var options = Parse("--head", "--port=7000", "--node-ip-address", "10.0.0.2", "--num-cpus=2.5", "--resources", "gpu=1, ssd=0.5", "--token", "t", "--block");

        Assert.Equal(7000, options.Port);
        Assert.Equal("10.0.0.2", options.Host);
        Assert.Equal(2.5, options.NumCpus);
        Assert.Equal(new Dictionary<string, double> { ["gpu"] = 1, ["ssd"] = 0.5 }, options.Resources);
        Assert.Equal("t", options.Credentials.Token);
        Assert.True(options.Block);
    }

    [Fact]
    public void Options_override_the_environment_credentials_and_the_rest_come_from_it()
    {
        var environment = new ClusterCredentials("from-env", null, null, "/etc/ca.pem");

        var options = StartArguments.Parse(["--head", "--token", "from-flag"], environment);

        Assert.Equal(new ClusterCredentials("from-flag", null, null, "/etc/ca.pem"), options.Credentials);
    }

    [Fact]
    public void The_daemon_gets_back_the_same_options_but_never_the_token()
    {
        var options = Parse("--address", "10.0.0.5:6380", "--port", "7001", "--num-cpus", "3", "--resources", "gpu=2,ssd=1.5", "--token", "secret", "--block");

        var daemonArgs = options.ToDaemonArguments();
        var again = StartArguments.Parse(daemonArgs, new ClusterCredentials("secret", null, null, null), "__daemon");

        Assert.DoesNotContain(daemonArgs, a => a.Contains("secret", StringComparison.Ordinal));
        Assert.Equal(options with { Block = false, Resources = again.Resources }, again);
        Assert.Equal(options.Resources, again.Resources);
        Assert.Equal("secret", options.CredentialVariables()[ClusterCredentials.TokenVariable]);
    }

    [Fact]
    public void Daemon_options_carry_what_was_parsed()
    {
        var options = Parse("--head", "--num-cpus", "4", "--resources", "gpu=1");

        var daemon = options.ToDaemonOptions(() => new System.Diagnostics.ProcessStartInfo("worker"), "/cache");

        Assert.Null(daemon.HeadAddress);
        Assert.Equal(6380, daemon.Port);
        Assert.Equal(4, daemon.NumCpus);
        Assert.Equal(1, daemon.Resources["gpu"]);
        Assert.Equal("/cache", daemon.CacheDirectory);
        Assert.Equal("worker", daemon.WorkerCommand().FileName);
    }

    [Theory]
    [InlineData("give --head to start a cluster, or --address HOST:PORT")]
    [InlineData("not both", "--head", "--address", "1.2.3.4:6380")]
    [InlineData("--port needs a value", "--head", "--port")]
    [InlineData("--port needs a value", "--head", "--port", "--block")]
    [InlineData("--port must be a whole number from 0 to 65535, not '70000'", "--head", "--port", "70000")]
    [InlineData("--port must be a whole number from 0 to 65535, not 'x'", "--head", "--port=x")]
    [InlineData("--num-cpus: amounts cannot be negative (-1)", "--head", "--num-cpus", "-1")]
    [InlineData("--num-cpus: 'many' is not a number", "--head", "--num-cpus", "many")]
    [InlineData("unknown option '--heads'", "--heads")]
    [InlineData("--head is given twice", "--head", "--head")]
    [InlineData("--block takes no value", "--head", "--block=yes")]
    [InlineData("unexpected argument 'now'", "--head", "now")]
    [InlineData("--address: '6380' is not HOST:PORT", "--address", "6380")]
    [InlineData("--address: 'host:0' is not HOST:PORT", "--address", "host:0")]
    [InlineData("--address: '::1:6380' is not HOST:PORT", "--address", "::1:6380")]
    [InlineData("--tls-cert and --tls-key go together", "--head", "--tls-cert", "/etc/hostname")]
    [InlineData("--tls-ca: no file at /no/such/ca.pem", "--head", "--tls-ca", "/no/such/ca.pem")]
    public void Bad_command_lines_say_what_is_wrong(string message, params string[] args)
    {
        var error = Assert.Throws<UsageException>(() => Parse(args));

        Assert.StartsWith("genray start: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[::1]:6380")]
    [InlineData("head.cluster.local:6380")]
    public void Addresses_may_be_names_or_bracketed_ipv6(string address) => Assert.Equal(address, Parse("--address", address).HeadAddress);

    [Fact]
    public void Tls_file_paths_become_absolute_for_the_daemon_that_runs_elsewhere()
    {
        var file = Path.GetTempFileName();
        try
        {
            var relative = Path.GetRelativePath(Environment.CurrentDirectory, file);

            var options = Parse("--head", "--tls-cert", relative, "--tls-key", relative);

            Assert.Equal(file, options.Credentials.TlsCertificate);
            Assert.Equal(file, options.CredentialVariables()[ClusterCredentials.TlsKeyVariable]);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
