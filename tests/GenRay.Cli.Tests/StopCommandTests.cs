using System.Diagnostics;
using GenRay.Cli.Commands;
using GenRay.Cli.State;

namespace GenRay.Cli.Tests;

/// <summary><c>genray stop</c> against real processes this test starts and records as daemons would have.</summary>
public sealed class StopCommandTests : IDisposable
{
    private readonly TestHome _home = new();
    private readonly List<Process> _started = [];

    private Process Start(string script)
    {
        var process = Process.Start(new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", script } })!;
        _started.Add(process);
        // The record is written once the process is what it will be (sleep, after sh's trap and exec), as a daemon
        // writes it once serving. Waiting for "sleep" itself, not for "no longer /bin/sh": Process.Start may return
        // while the kernel is still inside sh's exec, when cmdline reads empty and sh has not set its trap yet.
        var deadline = Stopwatch.StartNew();
        while (!File.ReadAllText($"/proc/{process.Id}/cmdline").StartsWith("sleep", StringComparison.Ordinal) && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(10);
        }
        return process;
    }

    [Fact]
    public void Nothing_started_is_not_an_error()
    {
        Assert.Equal(0, StopCommand.Stop(_home.Context, force: false, StopCommand.Grace));

        Assert.Equal("No GenRay processes started on this machine are running." + Environment.NewLine, _home.Out.ToString());
    }

    [Fact]
    public void A_running_daemon_is_stopped_with_SIGTERM_and_its_record_removed()
    {
        var daemon = Start("exec sleep 60");
        _home.Record(daemon.Id, role: "node", address: "127.0.0.1:41000");

        Assert.Equal(0, CommandLine.Run(["stop"], _home.Context));

        Assert.True(daemon.WaitForExit(5000));
        Assert.Equal(143, daemon.ExitCode);
        Assert.False(File.Exists(_home.State.RunFile(daemon.Id)));
        Assert.Equal($"Stopped the node at 127.0.0.1:41000 (pid {daemon.Id})." + Environment.NewLine, _home.Out.ToString());
    }

    [Fact]
    public void A_daemon_that_ignores_SIGTERM_is_killed_after_the_grace_period()
    {
        var daemon = Start("trap '' TERM; exec sleep 60");
        _home.Record(daemon.Id);

        var clock = Stopwatch.StartNew();
        Assert.Equal(0, StopCommand.Stop(_home.Context, force: false, TimeSpan.FromMilliseconds(500)));

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(500));
        Assert.True(daemon.WaitForExit(5000));
        Assert.Equal(137, daemon.ExitCode);
        Assert.Contains($"Killed the head at 127.0.0.1:6380 (pid {daemon.Id}): it was still running 0.5 s after SIGTERM.", _home.Out.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(_home.State.RunFile(daemon.Id)));
    }

    [Fact]
    public void Force_kills_at_once()
    {
        var daemon = Start("trap '' TERM; exec sleep 60");
        _home.Record(daemon.Id);

        var clock = Stopwatch.StartNew();
        Assert.Equal(0, CommandLine.Run(["stop", "--force"], _home.Context));

        Assert.True(clock.Elapsed < StopCommand.Grace);
        Assert.True(daemon.WaitForExit(5000));
        Assert.Equal(137, daemon.ExitCode);
        Assert.Contains($"Killed the head at 127.0.0.1:6380 (pid {daemon.Id}).", _home.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_record_of_a_process_that_is_gone_is_only_removed()
    {
        var gone = Process.Start(new ProcessStartInfo("/bin/true"))!;
        gone.WaitForExit();
        _home.Record(gone.Id, processStart: "12345");

        Assert.Equal(0, StopCommand.Stop(_home.Context, force: false, StopCommand.Grace));

        Assert.False(File.Exists(_home.State.RunFile(gone.Id)));
        Assert.StartsWith($"Removed the record of the head at 127.0.0.1:6380 (pid {gone.Id}): it is no longer running.", _home.Out.ToString(), StringComparison.Ordinal);
        Assert.Contains("No GenRay processes started on this machine are running.", _home.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_pid_now_used_by_another_program_is_not_signalled()
    {
        // This test process holds the pid, but started at another time than the record says: the kernel reused the pid.
        _home.Record(Environment.ProcessId, processStart: "1");

        Assert.Equal(0, StopCommand.Stop(_home.Context, force: true, StopCommand.Grace));

        Assert.False(File.Exists(_home.State.RunFile(Environment.ProcessId)));
        Assert.Contains("it is no longer running", _home.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreadable_record_is_removed()
    {
        Directory.CreateDirectory(_home.State.Run);
        var path = Path.Combine(_home.State.Run, "999999.json");
        File.WriteAllText(path, "{ not json");

        Assert.Equal(0, StopCommand.Stop(_home.Context, force: false, StopCommand.Grace));

        Assert.False(File.Exists(path));
        Assert.Contains("Removed an unreadable run record", _home.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Several_daemons_are_all_stopped_together()
    {
        var head = Start("exec sleep 60");
        var node = Start("exec sleep 60");
        _home.Record(head.Id, started: DateTimeOffset.UtcNow.AddSeconds(-10));
        _home.Record(node.Id, role: "node", address: "127.0.0.1:41000", headAddress: "127.0.0.1:6380");

        Assert.Equal(0, StopCommand.Stop(_home.Context, force: false, StopCommand.Grace));

        Assert.True(head.WaitForExit(5000));
        Assert.True(node.WaitForExit(5000));
        // Newest first: nodes started after their head stop before it.
        Assert.Equal(
            $"Stopped the node at 127.0.0.1:41000 (pid {node.Id}).{Environment.NewLine}Stopped the head at 127.0.0.1:6380 (pid {head.Id}).{Environment.NewLine}",
            _home.Out.ToString());
        Assert.Empty(Directory.GetFiles(_home.State.Run));
    }

    public void Dispose()
    {
        foreach (var process in _started)
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
            process.Dispose();
        }
        _home.Dispose();
    }
}
