using System.Runtime.CompilerServices;

namespace GenRay.Generator.Tests;

/// <summary>
/// Approved-file snapshots: each generated file is compared with <c>Snapshots/&lt;test&gt;/&lt;file&gt;</c>. On a
/// difference the actual text is written beside it as <c>.received.cs</c> (git-ignored) and the test fails;
/// run with <c>GENRAY_ACCEPT_SNAPSHOTS=1</c> to accept the received output as the new approved file.
/// </summary>
internal static class Snapshot
{
    public static void Match(IReadOnlyDictionary<string, string> files, [CallerMemberName] string test = "", [CallerFilePath] string sourceFile = "")
    {
        var folder = Path.Combine(Path.GetDirectoryName(sourceFile)!, "Snapshots", test);
        var accept = Environment.GetEnvironmentVariable("GENRAY_ACCEPT_SNAPSHOTS") == "1";
        if (accept)
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
            Directory.CreateDirectory(folder);
        }

        var mismatches = new List<string>();
        foreach (var (name, text) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var approved = Path.Combine(folder, name);
            var received = Path.ChangeExtension(approved, ".received.cs");
            if (accept)
            {
                File.WriteAllText(approved, text);
                continue;
            }
            if (!File.Exists(approved) || File.ReadAllText(approved) != text)
            {
                Directory.CreateDirectory(folder);
                File.WriteAllText(received, text);
                mismatches.Add(name);
            }
            else if (File.Exists(received))
            {
                File.Delete(received);
            }
        }
        if (!accept && Directory.Exists(folder))
        {
            var extra = Directory.GetFiles(folder, "*.g.cs").Select(Path.GetFileName).Where(f => !files.ContainsKey(f!)).ToList();
            mismatches.AddRange(extra.Select(f => $"{f} (approved, no longer generated)"));
        }
        Assert.True(mismatches.Count == 0,
            $"Generated code differs from the approved snapshot in {folder}: {string.Join(", ", mismatches)}. " +
            "Compare the .received.cs files; if the change is intended, rerun with GENRAY_ACCEPT_SNAPSHOTS=1.");
    }
}
