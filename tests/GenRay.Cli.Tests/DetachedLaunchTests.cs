using GenRay.Cli.Commands;
using GenRay.Cli.State;

namespace GenRay.Cli.Tests;

/// <summary>
/// Launching a detached daemon, with small shell scripts standing in for the daemon: one that writes its run record
/// as a serving daemon does, one that fails first.
/// </summary>
public sealed class DetachedLaunchTests : IDisposable
{
    private readonly TestHome _home = new();

    [Fact]
    public void A_daemon_that_writes_its_record_is_ready_in_its_own_session_with_its_output_in_the_log()
    {
        // $$ is the daemon's pid: every launch step execs, so it is the pid the launcher sees.
        const string Daemon = """
            echo "serving with token $GENRAY_TOKEN"
            printf '{"pid":%d,"role":"head","address":"127.0.0.1:6399","started":"2025-01-01T00:00:00+00:00","log":"%s"}' $$ "$1" > "$GENRAY_HOME/run/$$.json"
            exec sleep 60
            """;

        var launch = DetachedLaunch.Start(_home.State, "head", ["/bin/sh", "-c", Daemon, "daemon", "the-log"],
            new Dictionary<string, string?> { ["GENRAY_TOKEN"] = "secret" }, TimeSpan.FromSeconds(30));
        try
        {
            Assert.NotNull(launch.Ready);
            Assert.Equal(launch.Pid, launch.Ready.Pid);
            Assert.Equal("127.0.0.1:6399", launch.Ready.Address);
            Assert.Equal(_home.State.LogFile("head", launch.Pid), launch.Log);
            Assert.Equal("serving with token secret", File.ReadAllText(launch.Log).Trim());
            if (File.Exists("/usr/bin/setsid") || File.Exists("/bin/setsid"))
            {
                var stat = File.ReadAllText($"/proc/{launch.Pid}/stat");
                var session = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[3];
                Assert.Equal(launch.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), session);
            }
        }
        finally
        {
            LocalProcess.Signal(launch.Pid, LocalProcess.SigKill);
        }
    }

    [Fact]
    public void A_daemon_that_exits_before_serving_reports_its_exit_code_and_log()
    {
        var launch = DetachedLaunch.Start(_home.State, "node", ["/bin/sh", "-c", "echo starting; echo 'refused: wrong token' >&2; exit 3"],
            new Dictionary<string, string?>(), TimeSpan.FromSeconds(30));

        Assert.Null(launch.Ready);
        Assert.Equal(3, launch.ExitCode);
        Assert.Equal("starting" + Environment.NewLine + "refused: wrong token", DetachedLaunch.Tail(launch.Log, 30));
        Assert.Equal("refused: wrong token", DetachedLaunch.Tail(launch.Log, 1));
    }

    [Fact]
    public void A_daemon_not_serving_in_time_is_killed()
    {
        var launch = DetachedLaunch.Start(_home.State, "head", ["/bin/sh", "-c", "exec sleep 60"],
            new Dictionary<string, string?>(), TimeSpan.FromMilliseconds(300));

        Assert.Null(launch.Ready);
        Assert.Null(launch.ExitCode);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (LocalProcess.StartMark(launch.Pid) is not null && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }
        Assert.Null(LocalProcess.StartMark(launch.Pid));
    }

    [Fact]
    public void The_tail_of_a_missing_log_says_so() => Assert.Equal("(no log was written)", DetachedLaunch.Tail("/no/such/log", 5));

    public void Dispose() => _home.Dispose();
}
