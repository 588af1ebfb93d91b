using System.Diagnostics;
using System.Reflection;

namespace GenRay.Docs.Tests;

/// <summary>
/// Every <c>genray</c> command line in the documentation and the Kubernetes manifests uses only options the tool
/// accepts, as the tool itself judges: it runs with the line's arguments and one unknown option after them. The
/// tool reads its options in order and stops at the first it cannot take, so when every option of the line is
/// accepted (known, with a value where one is needed, none twice), the complaint is about the added option, and
/// nothing was started.
/// </summary>
public sealed class ToolCommandLineTests
{
    private const string EndMarker = "--docs-check-end";

    private static string Tool { get; } = typeof(ToolCommandLineTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "GenRayCli").Value!;

    public static TheoryData<string[]> CommandLines()
    {
        var data = new TheoryData<string[]>();
        // Hidden commands (the daemon's workers) are named in prose but are not for people to type.
        foreach (var line in ToolCommandLine.All().Where(l => !l.Args[0].StartsWith("__", StringComparison.Ordinal))
            .DistinctBy(l => string.Join('\u001f', l.Args), StringComparer.Ordinal))
        {
            data.Add([.. line.Args]);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CommandLines))]
    public void The_tool_accepts_the_options(string[] args)
    {
        var quoted = string.Join("\n  ", ToolCommandLine.All().Where(l => l.Args.SequenceEqual(args)));

        if (args[0] is "--help" or "--version")
        {
            var (exit, _, error) = Run(args);
            Assert.True(exit == 0, $"genray {args[0]} exited with {exit}:\n{error}\nquoted at:\n  {quoted}");
            return;
        }

        var (code, _, stderr) = Run([.. args, EndMarker]);
        var complaint = stderr.Split('\n')[0].Trim();
        Assert.True(code == 2 && complaint == $"genray {args[0]}: unknown option '{EndMarker}'.",
            $"the tool does not accept this command line:\n  {quoted}\nit said (exit code {code}): {complaint}");
    }

    /// <summary>The extraction finds what these pages are about, so the theory above cannot pass by finding nothing.</summary>
    [Fact]
    public void The_cluster_pages_and_manifests_are_read()
    {
        var lines = ToolCommandLine.All().ToList();
        string[] Commands(string file) => [.. lines.Where(l => l.File == file).Select(l => string.Join(' ', l.Args.Take(2)))];

        Assert.Contains("start --head", Commands("docs/cluster.md"));
        Assert.Contains("start --address", Commands("docs/cluster.md"));
        Assert.Contains("status", Commands("docs/cluster.md"));
        Assert.Contains("list nodes", Commands("docs/cluster.md"));
        Assert.Contains("stop", Commands("docs/cluster.md"));
        Assert.Contains("start --head", Commands("README.md"));
        Assert.Contains(lines, l => l.File == "deploy/kubernetes/head.yaml" && l.Args[1] == "--head" && l.Args.Contains("--block"));
        Assert.Contains(lines, l => l.File == "deploy/kubernetes/nodes.yaml" && l.Args[1] == "--address" && l.Args.Contains("--block"));
    }

    [Fact]
    public void Shell_lines_inline_code_and_manifest_args_are_read_as_the_tool_would_get_them()
    {
        var page = ToolCommandLine.InMarkdown("page.md",
        [
            "Run `genray stop --force` here, or `dotnet build`.",
            "```sh",
            "GENRAY_TOKEN=t genray start --head \\",
            "  --resources \"gpu=1,ssd=2\"   # a comment",
            "dotnet run --project src/Cli -- status --json && echo done",
            "kubectl exec deploy/genray-head -- dotnet /app/GenRay.Cli.dll list nodes",
            "```",
            "```text",
            "genray start --not-checked",
            "```",
        ]).ToList();
        var manifest = ToolCommandLine.InManifest("m.yaml",
        [
            "          command: [\"dotnet\", \"/app/GenRay.Cli.dll\"]",
            "          # a comment between",
            "          args: [\"start\", \"--node-ip-address\", \"$(POD_IP)\"]",
        ]).ToList();

        Assert.Equal(
            ["page.md:1: genray stop --force", "page.md:3: genray start --head --resources gpu=1,ssd=2",
             "page.md:5: genray status --json", "page.md:6: genray list nodes"],
            page.Select(l => l.ToString()));
        Assert.Equal("m.yaml:3: genray start --node-ip-address $(POD_IP)", Assert.Single(manifest).ToString());
        Assert.Throws<FormatException>(() => ToolCommandLine.InManifest("m.yaml", ["args:", "  - start"]).ToList());
    }

    private static (int Exit, string Output, string Error) Run(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Tool);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        // Nothing should start or be read, but if the check is wrong it must not find this machine's cluster.
        start.Environment["GENRAY_HOME"] = Path.Combine(Path.GetTempPath(), $"genray-docs-{Environment.ProcessId}");
        foreach (var name in new[] { "GENRAY_ADDRESS", "GENRAY_TOKEN", "GENRAY_TLS_CERT", "GENRAY_TLS_KEY", "GENRAY_TLS_CA" })
        {
            start.Environment.Remove(name);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"genray {string.Join(' ', args)} did not finish within 60 s.");
        }
        return (process.ExitCode, output.Result, error.Result);
    }
}
