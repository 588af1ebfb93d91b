namespace GenRay.Cli.State;

/// <summary>
/// Where this machine's GenRay keeps what <c>genray start</c> started: <c>$GENRAY_HOME</c>, else <c>~/.genray</c>.
/// <c>run/</c> holds one record per running daemon, <c>logs/</c> the detached daemons' output, <c>cache/</c> the code
/// jobs ship.
/// </summary>
internal sealed class StateDirectory(string root)
{
    public const string HomeVariable = "GENRAY_HOME";

    public string Root { get; } = Path.GetFullPath(root);

    public string Run => Path.Combine(Root, "run");

    public string Logs => Path.Combine(Root, "logs");

    public string Cache => Path.Combine(Root, "cache");

    public static StateDirectory FromEnvironment(Func<string, string?> variable) =>
        new(variable(HomeVariable) is { Length: > 0 } home
            ? home
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".genray"));

    public string RunFile(int pid) => Path.Combine(Run, $"{pid}.json");

    /// <summary>The detached daemon's log: named by its pid, which the launching shell knows as <c>$$</c> before it execs.</summary>
    public string LogFile(string role, int pid) => Path.Combine(Logs, $"{role}-{pid}.log");
}
