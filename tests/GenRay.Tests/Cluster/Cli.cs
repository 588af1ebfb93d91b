using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GenRay.Tests.Cluster;

/// <summary>Runs the genray tool (built with these tests) as a user would, in a GENRAY_HOME of the test's own.</summary>
public static partial class Cli
{
    public sealed record Daemon(int Pid, string Role, string Address);

    public static string Path { get; } = typeof(Cli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "GenRayCli").Value!;

    /// <summary>Runs the tool to completion; throws with its output when it fails (unless <paramref name="check"/> is false).</summary>
    public static (int Exit, string Output) Run(string home, string? token, string[] args, bool check = true, string? netns = null)
    {
        var start = netns is null ? new ProcessStartInfo("dotnet") : new ProcessStartInfo("ip");
        if (netns is not null)
        {
            foreach (var a in new[] { "netns", "exec", netns, "dotnet" })
            {
                start.ArgumentList.Add(a);
            }
        }
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.Environment["GENRAY_HOME"] = home;
        // Only what the arguments say: not the address or TLS files this test process may have set for its driver.
        foreach (var variable in new[] { "GENRAY_ADDRESS", "GENRAY_TLS_CERT", "GENRAY_TLS_KEY", "GENRAY_TLS_CA" })
        {
            start.Environment.Remove(variable);
        }
        if (token is null)
        {
            start.Environment.Remove("GENRAY_TOKEN");
        }
        else
        {
            start.Environment["GENRAY_TOKEN"] = token;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"genray {string.Join(' ', args)} did not finish within 120 s");
        }
        var all = output.Result + error.Result;
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"genray {string.Join(' ', args)} exited with {process.ExitCode}:\n{all}");
        }
        return (process.ExitCode, all);
    }

    public static string Run(string home, string? token, params string[] args) => Run(home, token, args, check: true).Output;

    /// <summary>The head's address, from what `genray start --head` printed.</summary>
    public static string AddressIn(string output) =>
        AddressPattern().Match(output) is { Success: true } match ? match.Value : throw new InvalidOperationException($"no address in:\n{output}");

    public static IReadOnlyList<Daemon> DaemonsIn(string home)
    {
        var run = System.IO.Path.Combine(home, "run");
        return Directory.Exists(run)
            ? [.. Directory.GetFiles(run, "*.json").Select(f =>
            {
                using var json = JsonDocument.Parse(File.ReadAllText(f));
                var root = json.RootElement;
                return new Daemon(root.GetProperty("pid").GetInt32(), root.GetProperty("role").GetString()!, root.GetProperty("address").GetString()!);
            })]
            : [];
    }

    /// <summary>Polls `genray status --json` until <paramref name="count"/> nodes are alive (they register within a second or two).</summary>
    public static JsonDocument WaitForNodes(string home, string token, string address, int count, params string[] client)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var status = Status(home, token, address, client);
            var alive = status.RootElement.GetProperty("nodes").EnumerateArray().Count(n => n.GetProperty("state").GetString() == "ALIVE");
            if (alive == count || DateTime.UtcNow > deadline)
            {
                return alive == count ? status : throw new TimeoutException($"{alive} of {count} nodes alive:\n{status.RootElement}");
            }
            Thread.Sleep(200);
        }
    }

    public static JsonDocument Status(string home, string token, string address, params string[] client) =>
        JsonDocument.Parse(Run(home, token, ["status", "--address", address, "--json", .. client], check: true).Output);

    /// <summary>Runs a GenRay program as a driver on the cluster at <paramref name="address"/> (GENRAY_ADDRESS), to its end.</summary>
    public static async Task<(int Exit, string Output, string Error)> RunDriverAsync(string program, string address, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(program);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["GENRAY_ADDRESS"] = address;
        start.Environment["GENRAY_TOKEN"] = TestCluster.Token;
        using var process = Process.Start(start)!;
        var reading = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        await process.WaitForExitAsync(timeout.Token);
        var both = await reading;
        return (process.ExitCode, both[0], both[1]);
    }

    [GeneratedRegex(@"\d+\.\d+\.\d+\.\d+:\d+")]
    private static partial Regex AddressPattern();
}
