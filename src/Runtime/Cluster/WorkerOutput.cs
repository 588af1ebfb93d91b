using System.Diagnostics;

namespace GenRay.Cluster;

/// <summary>
/// Reads a starting worker process's output: its ready line gives the address it serves at; every other line,
/// and its error output, is passed on to this process's console with a prefix that says which worker wrote it.
/// </summary>
internal static class WorkerOutput
{
    public const string ReadyLine = "GENRAY-WORKER-READY ";

    /// <summary>Starts reading; the task completes with the worker's address, or fails if it exits before it is ready.</summary>
    public static Task<string> Follow(Process process, string prefix, string exitedAdvice)
    {
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null)
            {
                ready.TrySetException(new RayException($"Worker process {process.Id} exited before it was ready{ExitDetail(process)}{exitedAdvice}."));
                return;
            }
            if (!ready.Task.IsCompleted && line.Data.StartsWith(ReadyLine, StringComparison.Ordinal))
            {
                ready.TrySetResult(line.Data[ReadyLine.Length..].Trim());
                return;
            }
            Console.Out.WriteLine(prefix + line.Data);
        };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null)
            {
                Console.Error.WriteLine(prefix + line.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return ready.Task;
    }

    private static string ExitDetail(Process process)
    {
        try
        {
            return process.WaitForExit(1000) ? $" (exit code {process.ExitCode})" : "";
        }
        catch (InvalidOperationException)
        {
            return "";
        }
    }
}
