using System.Diagnostics;
using System.Reflection;
using Xunit.Sdk;

namespace GenRay.Tutorial.Tests;

/// <summary>
/// Runs the tutorial sample once, as a user would: <c>dotnet Tutorial.dll --fast</c> in a process of its own,
/// from the build output the project reference made. Every test of <see cref="TutorialTests"/> reads this one run.
/// </summary>
public abstract class TutorialRun
{
    /// <summary>How long one of the seed's one-second sleeps lasts with <c>--fast</c>.</summary>
    public const double Sleep = 0.1;

    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(3);

    private readonly Lazy<TutorialOutput> _parsed;

    protected TutorialRun(params string[] arguments)
    {
        var assembly = typeof(TutorialRun).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "TutorialAssembly").Value;
        if (string.IsNullOrEmpty(assembly) || !File.Exists(assembly))
        {
            throw new InvalidOperationException($"The tutorial sample was not built where the build said it would be: '{assembly}'.");
        }

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("--fast");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(s_timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {assembly} --fast did not finish within {s_timeout}.");
        }
        process.WaitForExit(); // the output streams are complete only now
        Elapsed = watch.Elapsed;
        ExitCode = process.ExitCode;
        Output = stdout.Result.ReplaceLineEndings("\n");
        Error = stderr.Result;
        _parsed = new Lazy<TutorialOutput>(() => TutorialOutput.Parse(Output));
    }

    public int ExitCode { get; }

    public string Output { get; }

    public string Error { get; }

    public TimeSpan Elapsed { get; }

    /// <summary>The run's output, cell by cell; fails the test, showing the whole output, when the run failed or printed something unexpected.</summary>
    public TutorialOutput Cells
    {
        get
        {
            if (ExitCode != 0 || Error.Length > 0)
            {
                throw new XunitException($"The tutorial exited with {ExitCode}.\nstderr:\n{Error}\nstdout:\n{Output}");
            }
            try
            {
                return _parsed.Value;
            }
            catch (FormatException error)
            {
                throw new XunitException($"{error.Message}\nThe whole output:\n{Output}");
            }
        }
    }
}

/// <summary>The tutorial on the embedded default: everything in its own process.</summary>
public sealed class InProcessRun : TutorialRun
{
    public InProcessRun()
    {
    }
}

/// <summary>The tutorial with <c>--workers 2</c>: its tasks and actors run in two worker processes.</summary>
public sealed class WorkersRun : TutorialRun
{
    public WorkersRun() : base("--workers", "2")
    {
    }
}
