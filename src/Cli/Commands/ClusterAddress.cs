using GenRay.Cli.Parsing;
using GenRay.Cli.State;

namespace GenRay.Cli.Commands;

/// <summary>
/// Which head <c>status</c> and <c>list</c> ask: <c>--address</c>, else <c>GENRAY_ADDRESS</c> (what drivers read too),
/// else the cluster this machine's <c>genray start</c> is part of — its head, or the head one of its nodes joined.
/// </summary>
internal static class ClusterAddress
{
    public const string Variable = "GENRAY_ADDRESS";

    /// <summary>The head's address; <paramref name="option"/> is <c>--address</c>, already checked by the parser.</summary>
    public static string Resolve(string? option, CliContext context)
    {
        if (option is not null)
        {
            return option;
        }
        if (context.Variable(Variable) is { Length: > 0 } variable)
        {
            return HostPort.IsValid(variable) ? variable : throw new CommandException(HostPort.Problem(variable, Variable));
        }

        // Newest first: after a restart, the cluster started last is the one meant.
        var running = RunRecords.All(context.State)
            .Select(r => r.Record)
            .OfType<RunRecord>()
            .Where(LocalProcess.IsRunning)
            .ToList();
        if (running.FirstOrDefault(r => r.IsHead) is { } head)
        {
            return head.Address;
        }
        if (running.FirstOrDefault(r => r.HeadAddress is not null) is { } node)
        {
            return node.HeadAddress!;
        }
        throw new CommandException(
            $"no cluster address. Pass --address HOST:PORT, set {Variable}=HOST:PORT, or start a head on this machine " +
            $"with `genray start --head` (none is running from {context.State.Root}).");
    }
}
