using GenRay.Cli.State;

namespace GenRay.Cli;

/// <summary>What a command reads and writes besides its arguments, so tests can give their own.</summary>
internal sealed record CliContext(TextWriter Out, TextWriter Error, Func<string, string?> Variable, StateDirectory State)
{
    public static CliContext FromProcess() =>
        new(Console.Out, Console.Error, Environment.GetEnvironmentVariable, StateDirectory.FromEnvironment(Environment.GetEnvironmentVariable));
}
