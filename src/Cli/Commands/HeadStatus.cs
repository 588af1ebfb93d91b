using GenRay.Cluster.Nodes;

namespace GenRay.Cli.Commands;

/// <summary>Where <c>status</c> and <c>list</c> get the cluster's state: the head, unless a test gives its own.</summary>
internal delegate Task<ClusterStatus> StatusSource(string address, ClusterCredentials credentials, CancellationToken ct);

internal static class HeadStatus
{
    /// <summary>How long a head gets to answer before the command gives up and says so.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task<ClusterStatus> Ask(string address, ClusterCredentials credentials, CancellationToken ct)
    {
        using var client = new ClusterClient(address, credentials);
        return await client.StatusAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Resolves the address, asks, and turns a head that does not answer in time into a message.</summary>
    public static ClusterStatus Fetch(
        StatusSource source, string? addressOption, ClusterCredentials credentials, CliContext context, TimeSpan? within = null)
    {
        var address = ClusterAddress.Resolve(addressOption, context);
        var limit = within ?? Timeout;
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            return source(address, credentials, timeout.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new CommandException($"the head at {address} did not answer within {limit.TotalSeconds:0.#} s.");
        }
    }
}
