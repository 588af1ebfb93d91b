using System.Diagnostics;

namespace GenRay.Cluster;

/// <summary>
/// A worker process as its driver sees it: one this machine started (a child process, whose stdin is its
/// lifeline), or one a cluster node started for this driver (ended through that node).
/// </summary>
internal abstract class WorkerProcess
{
    /// <summary>The process id, on the machine that runs it.</summary>
    public abstract int Id { get; }

    /// <summary>Whether it runs on this machine (its shared-memory files are this machine's to clean).</summary>
    public abstract bool IsLocal { get; }

    public abstract bool HasExited { get; }

    /// <summary>The exit code once it exited and this side can tell; null otherwise.</summary>
    public abstract int? ExitCode { get; }

    public abstract bool WaitForExit(TimeSpan timeout);

    /// <summary>Ends the process at once, whatever it is doing.</summary>
    public abstract void Kill();

    /// <summary>Tells the process its driver is done (it exits on its own once its work is flushed).</summary>
    public abstract void EndLifeline();

    /// <summary>A child process of this driver.</summary>
    public static WorkerProcess Of(Process process) => new Local(process);

    private sealed class Local(Process process) : WorkerProcess
    {
        public override int Id => process.Id;

        public override bool IsLocal => true;

        public override bool HasExited => process.HasExited;

        public override int? ExitCode => process.HasExited ? process.ExitCode : null;

        public override bool WaitForExit(TimeSpan timeout) => process.WaitForExit(timeout);

        public override void Kill()
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }

        public override void EndLifeline()
        {
            try
            {
                process.StandardInput.Close();
            }
            catch (Exception error) when (error is IOException or InvalidOperationException)
            {
                // Already gone.
            }
        }
    }
}
