using System.Diagnostics;

namespace GenRay.Package.Tests;

/// <summary>Publishes samples/AotSample once, natively (PublishAot=true), for the tests that run it.</summary>
public sealed class AotBuild : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "genray-aot-test-" + Guid.NewGuid().ToString("N")[..8]);

    public AotBuild()
    {
        // Publish from a copy, so this build cannot race the test run's own builds over obj/ folders.
        var repository = Path.Combine(_work, "repo");
        PackageTests.CopySources(Dotnet.RepositoryRoot(), repository);
        var output = Path.Combine(_work, "out");
        (ExitCode, Log) = Dotnet.Run(repository, TimeSpan.FromMinutes(10),
            "publish", "samples/AotSample/AotSample.csproj", "-r", "linux-x64", "-c", "Release", "-o", output);
        Executable = Path.Combine(output, "AotSample");
        Native = !File.Exists(Path.Combine(output, "AotSample.dll"));
    }

    public int ExitCode { get; }

    public string Log { get; }

    public string Executable { get; }

    public bool Native { get; }

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

/// <summary>
/// GenRay under Native AOT: samples/AotSample published with PublishAot=true runs tasks and actors in worker
/// processes (the native executable starts itself again as its workers), with generated serializers only; it
/// stops on SIGTERM and Ctrl+C as any program does; and its workers never outlive it, even when it is killed with
/// SIGKILL.
/// </summary>
public sealed class AotTests(AotBuild build) : IClassFixture<AotBuild>
{
    [Fact]
    public async Task A_native_aot_build_runs_tasks_and_actors_in_worker_processes()
    {
        Assert.True(build.ExitCode == 0, build.Log);
        Assert.True(build.Native && File.Exists(build.Executable), $"the publish was not native: {build.Log}");

        using var process = Start("2");
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
    }

    [Fact]
    public async Task Workers_exit_when_their_driver_is_killed_with_sigkill()
    {
        var (driver, workers) = await StartHanging();
        using var _ = driver;

        driver.Kill(); // SIGKILL: no chance to clean up; the workers must notice on their own

        AssertGone(workers);
    }

    [Theory]
    [InlineData("TERM")] // kill, docker stop, systemd
    [InlineData("INT")]  // Ctrl+C
    public async Task A_driver_stops_on_a_signal_as_any_program_does_and_its_workers_with_it(string signal)
    {
        var (driver, workers) = await StartHanging();
        using var _ = driver;

        using (var kill = Process.Start("kill", ["-s", signal, driver.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        // GenRay's embedded endpoint once took the signal for itself: the endpoint stopped, the program ran on.
        Assert.True(driver.WaitForExit(TimeSpan.FromSeconds(10)), $"the driver ignored SIG{signal}");
        AssertGone(workers);
    }

    /// <summary>The sample with two workers, once it says it is hanging (staying up until stopped).</summary>
    private async Task<(Process Driver, List<int> Workers)> StartHanging()
    {
        Assert.True(build.ExitCode == 0, build.Log);
        var driver = Start("2", "--hang");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (await driver.StandardOutput.ReadLineAsync(timeout.Token) is { } line && line != "hanging")
        {
        }
        var workers = ChildrenOf(driver.Id);
        Assert.Equal(2, workers.Count);
        return (driver, workers);
    }

    private static void AssertGone(List<int> workers) =>
        Assert.True(SpinWait.SpinUntil(() => workers.All(Gone), TimeSpan.FromSeconds(5)),
            $"workers {string.Join(", ", workers.Where(p => !Gone(p)))} outlived their driver");

    private Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(build.Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return Process.Start(start)!;
    }

    private static List<int> ChildrenOf(int parent) =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => int.TryParse(name, out _))
            .Select(int.Parse!)
            .Where(pid => ParentOf(pid) == parent)
            .ToList();

    private static int? ParentOf(int pid)
    {
        try
        {
            // /proc/<pid>/stat: "pid (name) state ppid ..."; the name may hold spaces, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1]);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool Gone(int pid) => !Directory.Exists($"/proc/{pid}") || File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ");
}
