using System.Globalization;

namespace GenRay.Cli.Rendering;

/// <summary>Resources, sizes, counts and times written for people.</summary>
internal static class Quantities
{
    /// <summary>
    /// <c>CPU 1.0/4.0, gpu 0/1</c>: used of total per resource, CPUs first. A resource missing from
    /// <paramref name="available"/> is fully used (Ray's available-resources maps leave out what is at zero).
    /// </summary>
    public static string UsedOfTotal(IReadOnlyDictionary<string, double> total, IReadOnlyDictionary<string, double> available)
    {
        if (total.Count == 0)
        {
            return "-";
        }
        return string.Join(", ", total
            .OrderBy(r => r.Key == "CPU" ? 0 : 1).ThenBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => $"{r.Key} {Amount(r.Key, r.Value - available.GetValueOrDefault(r.Key))}/{Amount(r.Key, r.Value)}"));
    }

    /// <summary>Sums resource maps (the alive nodes' totals, or their availables) into one.</summary>
    public static Dictionary<string, double> Sum(IEnumerable<IReadOnlyDictionary<string, double>> maps)
    {
        var sum = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, amount) in maps.SelectMany(m => m))
        {
            sum[name] = sum.GetValueOrDefault(name) + amount;
        }
        return sum;
    }

    // CPUs are fractional in practice (num_cpus=0.5 tasks), so they always show a decimal; custom resources mostly count devices.
    private static string Amount(string name, double value) =>
        value.ToString(name == "CPU" ? "0.0##" : "0.###", CultureInfo.InvariantCulture);

    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    /// <summary><c>RUNNING 2, FINISHED 9</c>: most frequent first, then by name, so the line reads the same each run.</summary>
    public static string ByState(IEnumerable<KeyValuePair<string, int>> counts) =>
        string.Join(", ", counts
            .Where(c => c.Value > 0)
            .OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => $"{c.Key} {c.Value}"));

    public static string ByState(IEnumerable<string> states) =>
        ByState(states.GroupBy(s => s, StringComparer.Ordinal).Select(g => KeyValuePair.Create(g.Key, g.Count())));

    public static string Seconds(double seconds) => seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s ago";

    public static string Time(DateTimeOffset time) => time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
