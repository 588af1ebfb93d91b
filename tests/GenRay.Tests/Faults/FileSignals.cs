namespace GenRay.Tests.Faults;

/// <summary>
/// Coordination through files in a directory of the test's own: unlike a <see cref="Support.Signal"/> actor, a file
/// survives the worker process the tests kill, and code in any process of this machine can write and read it.
/// </summary>
public sealed class FileSignals : IDisposable
{
    public FileSignals()
    {
        Directory = Path.Combine(Path.GetTempPath(), "genray-faults-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>Creates the file <paramref name="name"/> in <paramref name="directory"/> (from remote code).</summary>
    public static void Raise(string directory, string name, string content = "")
    {
        // Written aside and moved in, so a reader never sees the file before its content.
        var aside = Path.Combine(directory, $".{name}.{Guid.NewGuid():N}");
        File.WriteAllText(aside, content);
        File.Move(aside, Path.Combine(directory, name), overwrite: true);
    }

    /// <summary>Appends one line to <paramref name="name"/> (from remote code).</summary>
    public static void Append(string directory, string name, string line) =>
        File.AppendAllText(Path.Combine(directory, name), line + Environment.NewLine);

    public static bool IsRaised(string directory, string name) => File.Exists(Path.Combine(directory, name));

    /// <summary>Blocks (polling the file system, holding the task's CPU) until <paramref name="name"/> exists or the time is up.</summary>
    public static bool WaitFor(string directory, string name, TimeSpan timeout) =>
        SpinWait.SpinUntil(() =>
        {
            if (IsRaised(directory, name))
            {
                return true;
            }
            Thread.Sleep(5);
            return false;
        }, timeout);

    public void Raise(string name) => Raise(Directory, name);

    /// <summary>Waits in the test for a file remote code raises; fails the test when it does not come.</summary>
    public string Await(string name, TimeSpan? timeout = null)
    {
        Assert.True(WaitFor(Directory, name, timeout ?? TimeSpan.FromSeconds(30)), $"{name} was never raised");
        return File.ReadAllText(PathOf(name));
    }

    public string[] Lines(string name) => File.Exists(PathOf(name)) ? File.ReadAllLines(PathOf(name)) : [];

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A killed worker may still hold a file for a moment; the temp directory is cleaned eventually.
        }
    }
}
