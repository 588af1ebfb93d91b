namespace GenRay.Cluster;

/// <summary>
/// Large values held for other processes on this machine live in files in shared memory (<c>/dev/shm</c>, a tmpfs),
/// like Ray's plasma store: a fetcher on the same machine maps the holder's file and deserializes straight from it,
/// one memory copy in all, where the gRPC stream tops out near 0.4 GB/s on loopback here. The stream remains the
/// path between machines, for values under <see cref="MinBytes"/>, and for everything when
/// <c>GENRAY_OBJECT_TRANSFER=stream</c>.
/// </summary>
internal static class SharedMemory
{
    public const string Header = "genray-shm";
    public const int MinBytes = 1 << 20;

    private const string Directory = "/dev/shm";

    public static bool Enabled =>
        OperatingSystem.IsLinux()
        && !string.Equals(Environment.GetEnvironmentVariable("GENRAY_OBJECT_TRANSFER"), "stream", StringComparison.OrdinalIgnoreCase)
        && System.IO.Directory.Exists(Directory);

    /// <summary>Whether a holder at <paramref name="address"/> shares this machine's memory (loopback, as local workers are).</summary>
    public static bool SameMachine(string address) =>
        (address.StartsWith("127.", StringComparison.Ordinal) || address.StartsWith("localhost:", StringComparison.Ordinal) || address.StartsWith("[::1]", StringComparison.Ordinal))
        && Enabled;

    /// <summary>Holder: writes a value to a new file of this process; the caller deletes it when the value is released.</summary>
    public static string Write(ObjectId id, ReadOnlySpan<byte> bytes)
    {
        var path = Path.Combine(Directory, $"{Prefix(Environment.ProcessId)}{id}-{Guid.NewGuid():N}");
        using var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, FileOptions.None, bytes.Length);
        RandomAccess.Write(file, bytes, 0);
        return path;
    }

    public static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Gone already (a cleanup after the holder died got there first).
        }
    }

    /// <summary>Fetcher: maps a file the holder named, checking it is one of ours.</summary>
    public static MappedValue Map(string path, int length)
    {
        if (!path.StartsWith(Directory + "/genray-", StringComparison.Ordinal) || path.Contains("..", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"The holder named '{path}', which is not a GenRay shared-memory file.");
        }
        return new MappedValue(path, length);
    }

    /// <summary>Removes the files a process left behind (it died holding values; nobody else will release them).</summary>
    public static void RemoveFilesOf(int pid)
    {
        foreach (var file in FilesOf(pid))
        {
            Delete(file);
        }
    }

    /// <summary>
    /// Removes the files of processes that are gone. A process killed outright (a driver with <c>kill -9</c>, or a
    /// worker ended at shutdown while it held values) cannot clean up, and /dev/shm is memory: without this, every
    /// such death kept its values' memory until the machine restarted. Run when a driver or a node daemon starts. A
    /// file is an orphan when no process has its pid, or the one that has it started after the file was written
    /// (the pid was reused).
    /// </summary>
    public static void RemoveOrphans()
    {
        if (!OperatingSystem.IsLinux() || !System.IO.Directory.Exists(Directory))
        {
            return;
        }
        var started = new Dictionary<int, DateTime?>(); // per pid: a job may hold thousands of values
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "genray-*"))
        {
            var name = Path.GetFileName(file.AsSpan());
            var digits = name["genray-".Length..];
            var end = digits.IndexOf('-');
            if (end <= 0 || !int.TryParse(digits[..end], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            try
            {
                if (!started.TryGetValue(pid, out var start))
                {
                    started[pid] = start = StartOf(pid);
                }
                // Start times come from clock ticks: a second of slack for a file written right as its process started.
                if (start is not { } since || since > File.GetLastWriteTimeUtc(file).AddSeconds(1))
                {
                    File.Delete(file);
                }
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or another user's: theirs to remove.
            }
        }
    }

    // When the process with this pid started; null when there is none.
    private static DateTime? StartOf(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.StartTime.ToUniversalTime();
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException)
        {
            return null; // no such process, or it has exited
        }
    }

    public static IEnumerable<string> FilesOf(int pid) =>
        System.IO.Directory.Exists(Directory) ? System.IO.Directory.EnumerateFiles(Directory, Prefix(pid) + "*") : [];

    private static string Prefix(int pid) => $"genray-{pid}-";
}
