using System.Globalization;
using System.Text.Json;

namespace GenRay.Benchmarks;

/// <summary>
/// The tables of docs/benchmarks.md, made from the JSON of full runs (<c>--json</c>): for each metric the median
/// of the runs and each run's figure, and the baselines as medians of what the same runs measured, so a table in
/// the docs is one command away from its runs. One run is noise on this kind of machine; three are the least
/// that shows it.
/// </summary>
public static class MedianTable
{
    public const string Flag = "--median";

    public static void Write(IReadOnlyList<string> paths, TextWriter output)
    {
        if (paths.Count == 0)
        {
            throw new ArgumentException($"{Flag} needs the JSON files of full runs of one mode (written with --json FILE).");
        }
        var runs = paths.Select(Run.Read).ToList();
        var mode = runs[0].Mode;
        if (runs.FirstOrDefault(r => r.Mode != mode) is { } other)
        {
            throw new ArgumentException($"{other.Path} is a run in mode {other.Mode}, {runs[0].Path} in mode {mode}: one table is one mode's runs.");
        }
        if (runs.FirstOrDefault(r => r.Quick) is { } quick)
        {
            throw new ArgumentException($"{quick.Path} is a --quick run, a smoke test whose figures mean nothing: use full runs.");
        }
        var names = runs[0].Results.Select(r => r.Name).ToList();
        foreach (var run in runs.Skip(1))
        {
            var missing = names.Except(run.Results.Select(r => r.Name)).Concat(run.Results.Select(r => r.Name).Except(names)).ToList();
            if (missing.Count > 0)
            {
                throw new ArgumentException($"{run.Path} and {runs[0].Path} ran different metrics ({string.Join(", ", missing)}): run each with the same --filter.");
            }
        }

        var crossProcess = mode != "inprocess";
        output.WriteLine($"### {mode} — median of {runs.Count} run{(runs.Count == 1 ? "" : "s")}, {runs[0].Machine}");
        output.WriteLine();
        output.WriteLine($"Runs started {string.Join(", ", runs.Select(r => DateTimeOffset.TryParse(r.Date, CultureInfo.InvariantCulture, out var at) ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC" : r.Date))}.");
        output.WriteLine();
        output.WriteLine(crossProcess
            ? "| metric | GenRay (median) | runs | last 2 rounds (median) | alloc B/op | CPU µs/op | Ray published | × Ray | same pattern without GenRay (median) | GenRay / that |"
            : "| metric | GenRay (median) | runs | alloc B/op | CPU µs/op | Ray published | × Ray | same pattern without GenRay (median) | GenRay / that |");
        output.WriteLine(crossProcess ? "|---|---:|---|---:|---:|---:|---:|---:|---|---:|" : "|---|---:|---|---:|---:|---:|---:|---|---:|");
        foreach (var name in names)
        {
            var results = runs.Select(run => run.Results.First(r => r.Name == name)).ToList();
            var median = Median(results.Select(r => r.Mean));
            var cells = new List<string>
            {
                name,
                $"{Figure(median)} {results[0].Unit}",
                string.Join(" / ", results.Select(r => Short(r.Mean))),
            };
            if (crossProcess)
            {
                // A figure far above the mean would say the metric was still warming up in its first rounds.
                cells.Add(Short(Median(results.Select(r => r.Rounds.TakeLast(2).DefaultIfEmpty(r.Mean).Average()))));
            }
            cells.Add(Median(results.Select(r => r.BytesPerOp)).ToString("N0", CultureInfo.InvariantCulture));
            var cpu = results.Where(r => r.CpuMicrosPerOp is not null).Select(r => r.CpuMicrosPerOp!.Value).ToList();
            cells.Add(cpu.Count > 0 ? Short(Median(cpu)) : "—");
            var ray = results[0].Ray;
            cells.Add(ray is { } published ? published.ToString(published == Math.Floor(published) ? "N0" : "0.###", CultureInfo.InvariantCulture) : "—");
            cells.Add(ray is { } figure ? (median / figure).ToString("N1", CultureInfo.InvariantCulture) + "×" : "—");
            var baselines = results[0].Baselines.Select(b => b.Name)
                .Select(baseline => (Name: baseline, Median: Median(results.Select(r => r.Baselines.FirstOrDefault(b => b.Name == baseline)?.Mean ?? double.NaN))))
                .Where(b => !double.IsNaN(b.Median))
                .ToList();
            cells.Add(baselines.Count > 0 ? string.Join("; ", baselines.Select(b => $"{Figure(b.Median)} ({b.Name})")) : "—");
            cells.Add(baselines.Count > 0 ? string.Join("; ", baselines.Select(b => (median / b.Median).ToString("0.00", CultureInfo.InvariantCulture))) : "—");
            output.WriteLine($"| {string.Join(" | ", cells)} |");
        }
    }

    /// <summary>The middle value; the mean of the two middle ones for an even count. NaN when any is missing.</summary>
    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0 || sorted.Any(double.IsNaN))
        {
            return double.NaN;
        }
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    // The docs' figures: whole numbers with separators, three significant digits for the small and the huge.
    private static string Figure(double value) => value is >= 100 and < 1e8
        ? value.ToString("N0", CultureInfo.InvariantCulture)
        : Significant(value);

    private static string Short(double value) => value is >= 100 and < 1e6
        ? value.ToString("N0", CultureInfo.InvariantCulture)
        : Significant(value);

    private static string Significant(double value) => value.ToString("G3", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);

    /// <summary>One run's JSON, as <see cref="Runner"/> writes it.</summary>
    private sealed record Run(string Path, string Mode, bool Quick, string Machine, string Date, IReadOnlyList<BenchmarkResult> Results)
    {
        public static Run Read(string path)
        {
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllText(path));
                var root = document.RootElement;
                var results = root.GetProperty("results").EnumerateArray().Select(r => new BenchmarkResult(
                    r.GetProperty("name").GetString()!,
                    r.GetProperty("unit").GetString()!,
                    r.GetProperty("mean").GetDouble(),
                    r.GetProperty("std").GetDouble(),
                    r.GetProperty("rounds").EnumerateArray().Select(x => x.GetDouble()).ToList(),
                    r.GetProperty("bytes_per_op").GetDouble(),
                    r.TryGetProperty("cpu_us_per_op", out var cpu) ? cpu.GetDouble() : null,
                    r.TryGetProperty("ray_published", out var ray) ? ray.GetDouble() : null,
                    r.GetProperty("baselines").EnumerateArray().Select(b => new Baseline(b.GetProperty("name").GetString()!, b.GetProperty("mean").GetDouble())).ToList()))
                    .ToList();
                return new Run(path, root.GetProperty("mode").GetString()!, root.GetProperty("quick").GetBoolean(),
                    root.GetProperty("machine").GetString()!, root.GetProperty("date").GetString()!, results);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                throw new ArgumentException($"Cannot read {path}: {error.Message}", error);
            }
            catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new ArgumentException($"{path} is not the JSON of a benchmark run (--json FILE): {error.Message}", error);
            }
        }
    }
}
