using Microsoft.Extensions.Hosting;

namespace GenRay.Cluster;

/// <summary>
/// The lifetime of GenRay's embedded endpoint: none of its own. The default one (ConsoleLifetime) takes SIGTERM,
/// SIGINT and SIGQUIT for the web host and cancels them, so Ctrl+C, <c>kill</c> or <c>docker stop</c> only stopped
/// the endpoint and the user's program ran on without it. The process's signals belong to the program: it exits
/// as any .NET program does (a daemon registers its own handlers), and its workers, watching it, exit with it.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
