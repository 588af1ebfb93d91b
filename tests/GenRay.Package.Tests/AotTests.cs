using System.Diagnostics;

namespace GenRay.Package.Tests;

/// <summary>
/// GenRay under Native AOT: samples/AotSample published with PublishAot=true runs tasks and actors in worker
/// processes (the native executable starts itself again as its workers), with generated serializers only.
/// </summary>
public sealed class AotTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "genray-aot-test-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task A_native_aot_build_runs_tasks_and_actors_in_worker_processes()
    {
        // Publish from a copy, so this build cannot race the test run's own builds over obj/ folders.
        var repository = Path.Combine(_work, "repo");
        PackageTests.CopySources(Dotnet.RepositoryRoot(), repository);
        var output = Path.Combine(_work, "out");
        var publish = Dotnet.Run(repository, TimeSpan.FromMinutes(10),
            "publish", "samples/AotSample/AotSample.csproj", "-r", "linux-x64", "-c", "Release", "-o", output);
        Assert.True(publish.ExitCode == 0, publish.Output);
        var executable = Path.Combine(output, "AotSample");
        Assert.True(File.Exists(executable), $"no native executable in {output}");
        Assert.False(File.Exists(Path.Combine(output, "AotSample.dll")), "the publish was not native");

        var start = new ProcessStartInfo(executable, "2") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);

        var text = await stdout;
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{text}\n{await stderr}");
        Assert.Contains("squares: 1, 4, 9, 16", text);
        Assert.Contains("sum: 25", text);
        Assert.Contains("report: matrix 8 True", text); // a user record, computed in a worker process
        Assert.Contains("counter: 9", text);
        Assert.Contains("handle passed to a task: 10", text);
        Assert.Contains("error: System.InvalidOperationException: failed on purpose", text);
        Assert.True(WorkersGone(executable), "worker processes outlived the native driver");
    }

    private static bool WorkersGone(string executable) =>
        SpinWait.SpinUntil(() => !Process.GetProcessesByName("AotSample").Any(p => Safe(() => p.MainModule?.FileName) == executable), TimeSpan.FromSeconds(5));

    private static string? Safe(Func<string?> read)
    {
        try
        {
            return read();
        }
        catch (Exception)
        {
            return null;
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
