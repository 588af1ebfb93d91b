namespace GenRay.Cli.Commands;

/// <summary>A command that was understood but cannot be done: the message says why and what to do; the exit code is 1.</summary>
internal sealed class CommandException(string message) : Exception(message);
