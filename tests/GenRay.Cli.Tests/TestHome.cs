using GenRay.Cli.State;

namespace GenRay.Cli.Tests;

/// <summary>A temporary GENRAY_HOME with captured output and a made-up environment: what a command sees in a test.</summary>
internal sealed class TestHome : IDisposable
{
    public TestHome()
    {
        State = new StateDirectory(Path.Combine(Path.GetTempPath(), "genray-cli-test-" + Guid.NewGuid().ToString("N")[..8]));
        Context = new CliContext(Out, Error, name => Variables.GetValueOrDefault(name), State);
    }

    public StateDirectory State { get; }

    public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal);

    public StringWriter Out { get; } = new();

    public StringWriter Error { get; } = new();

    public CliContext Context { get; }

    /// <summary>A run record for a process as a daemon would write it: its true start mark unless told otherwise.</summary>
    public RunRecord Record(int pid, string role = "head", string address = "127.0.0.1:6380", string? headAddress = null, string? processStart = null, DateTimeOffset? started = null)
    {
        var record = new RunRecord(pid, role, address, headAddress, started ?? DateTimeOffset.UtcNow, null, processStart ?? LocalProcess.StartMark(pid));
        RunRecords.Write(State, record);
        return record;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(State.Root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
