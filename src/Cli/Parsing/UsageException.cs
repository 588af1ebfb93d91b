namespace GenRay.Cli.Parsing;

/// <summary>The command line cannot be understood: the message says what is wrong, usage follows, and the exit code is 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
