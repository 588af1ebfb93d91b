using System.Diagnostics;
using System.Reflection;
using Xunit.Sdk;

namespace GenRay.Benchmarks.Tests;

/// <summary>Runs the benchmarks program as a separate process, as a user would, and returns its exit code and output.</summary>
internal static class BenchmarksProcess
{
    public static (int Exit, string Output) Run(params string[] arguments)
    {
        var assembly = typeof(BenchmarksProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BenchmarksAssembly").Value;
        if (string.IsNullOrEmpty(assembly) || !File.Exists(assembly))
        {
            throw new InvalidOperationException($"The benchmarks were not built where the build said they would be: '{assembly}'.");
        }
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new XunitException($"The benchmarks did not finish within 2 minutes:\n{stdout.Result}");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
