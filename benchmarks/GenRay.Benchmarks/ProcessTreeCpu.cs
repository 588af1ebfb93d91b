namespace GenRay.Benchmarks;

/// <summary>
/// CPU time used so far by this process and every process it started (GenRay's workers), read from /proc (Linux
/// only). It states a throughput target in the unit the work is paid in (600,000 ops/s on two cores needs ≤ 3.3 µs
/// of CPU per op across all processes); on two saturated cores it moves with the machine's noise as ops/s does.
/// </summary>
internal static class ProcessTreeCpu
{
    // /proc reports utime and stime in USER_HZ ticks, which Linux fixes at 100 per second for user space.
    private const double TicksPerSecond = 100;

    public static TimeSpan? Now()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        var parent = new Dictionary<int, int>();
        var ticks = new Dictionary<int, long>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                continue; // exited meanwhile
            }
            // "pid (comm) state ppid … utime stime …": comm may hold spaces and parentheses, so count from its end.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            parent[pid] = int.Parse(fields[1]);
            ticks[pid] = long.Parse(fields[11]) + long.Parse(fields[12]);
        }
        var self = Environment.ProcessId;
        long total = 0;
        foreach (var (pid, used) in ticks)
        {
            for (var p = pid; p > 1; p = parent.GetValueOrDefault(p))
            {
                if (p == self)
                {
                    total += used;
                    break;
                }
            }
        }
        return TimeSpan.FromSeconds(total / TicksPerSecond);
    }
}
