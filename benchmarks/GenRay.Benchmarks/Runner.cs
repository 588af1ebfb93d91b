using System.Globalization;
using System.Text.Json;

namespace GenRay.Benchmarks;

/// <summary>What to run: the execution mode, which metrics, and how long to measure.</summary>
public sealed record BenchmarkOptions(string Mode = "inprocess", string? Filter = null, bool Quick = false, string? JsonPath = null)
{
    public static BenchmarkOptions Parse(string[] args)
    {
        var options = new BenchmarkOptions();
        for (var i = 0; i < args.Length; i++)
        {
            options = args[i] switch
            {
                "--mode" => options with { Mode = Value(args, ref i) },
                "--filter" => options with { Filter = Value(args, ref i) },
                "--quick" => options with { Quick = true },
                "--json" => options with { JsonPath = Value(args, ref i) },
                _ => throw new ArgumentException(
                    $"Unknown argument '{args[i]}'. Usage: [--mode inprocess|workers:N|address:HOST:PORT] [--filter NAME] [--quick] [--json FILE], or --median RUN.json ..."),
            };
        }
        return options;
    }

    internal RayOptions ToRayOptions()
    {
        if (Mode == "inprocess")
        {
            return new RayOptions();
        }
        if (Mode.StartsWith("workers:", StringComparison.Ordinal) && int.TryParse(Mode["workers:".Length..], out var workers) && workers > 0)
        {
            return new RayOptions { WorkerProcesses = workers };
        }
        if (Mode.StartsWith("address:", StringComparison.Ordinal) && Mode.Length > "address:".Length)
        {
            return new RayOptions { Address = Mode["address:".Length..] };
        }
        throw new ArgumentException($"Unknown mode '{Mode}': use inprocess, workers:N (N ≥ 1) or address:HOST:PORT.");
    }

    private static string Value(string[] args, ref int i) =>
        ++i < args.Length ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.");
}

/// <summary>One row of the results table: GenRay's figure, Ray's, and the baselines of the same pattern.</summary>
public sealed record BenchmarkResult(
    string Name, string Unit, double Mean, double Std, IReadOnlyList<double> Rounds, double BytesPerOp, double? CpuMicrosPerOp, double? Ray,
    IReadOnlyList<Baseline> Baselines);

/// <summary>The same message pattern without GenRay: plain .NET in one process, or raw gRPC across two.</summary>
public sealed record Baseline(string Name, double Mean);

/// <summary>Runs the suite: one GenRay for every metric, as Ray's microbenchmark does.</summary>
public static class Runner
{
    public static async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkOptions options, TextWriter output)
    {
        var crossProcess = options.Mode != "inprocess";
        var metrics = Suite.Metrics()
            .Where(m => options.Filter is null || m.Name.Contains(options.Filter, StringComparison.Ordinal))
            .Where(m => crossProcess || !m.CrossProcessOnly)
            .ToList();
        if (metrics.Count == 0)
        {
            throw new ArgumentException($"No metric matches '{options.Filter}'.");
        }

        var results = new List<BenchmarkResult>();
        using (var runtime = Ray.Init(options.ToRayOptions()))
        {
            output.WriteLine($"GenRay microbenchmark, mode {options.Mode}{(options.Quick ? " (quick: a smoke test, not a measurement)" : "")}, on {Machine.Describe()}, NumCpus {runtime.NumCpus}");
            try
            {
                foreach (var metric in metrics)
                {
                    var measured = metric.SelfTimed is { } timed
                        ? await Timeit.RunSelfTimed(timed(), metric.Multiplier, options.Quick)
                        : await Timeit.Run(metric.Workload(), metric.Multiplier, options.Quick);
                    var baselines = new List<Baseline>();
                    if (!crossProcess && metric.Baseline is not null)
                    {
                        baselines.Add(new(metric.BaselineName!, (await Timeit.Run(metric.Baseline(), metric.Multiplier, options.Quick)).Mean));
                    }
                    if (crossProcess)
                    {
                        foreach (var (name, workload) in metric.Transport)
                        {
                            baselines.Add(new(name, (await Timeit.Run(workload(GrpcBaselines.Shared), metric.Multiplier, options.Quick)).Mean));
                        }
                    }
                    if (metric.Orleans is var (pattern, orleans))
                    {
                        // Started for this metric and stopped after it, so no idle silo shares the CPUs with the next one.
                        try
                        {
                            var silo = await OrleansBaselines.SharedAsync(crossProcess ? () => SelfProcess.Start(OrleansBaselines.SiloFlag) : null);
                            baselines.Add(new(OrleansBaselines.Describe(crossProcess, pattern), (await Timeit.Run(orleans(silo), metric.Multiplier, options.Quick)).Mean));
                        }
                        finally
                        {
                            await OrleansBaselines.StopSharedAsync();
                        }
                    }
                    var result = new BenchmarkResult(metric.Name, metric.Unit, measured.Mean, measured.Std, measured.Rounds, measured.BytesPerOp, measured.CpuMicrosPerOp, metric.Ray, baselines);
                    results.Add(result);
                    output.WriteLine($"  {result.Name}: {Number(result.Mean)} ± {Number(result.Std)} {result.Unit}{(result.CpuMicrosPerOp is { } cpu ? $", {Number(cpu)} µs CPU/op" : "")} (rounds {string.Join(" / ", result.Rounds.Select(Number))})");
                }
            }
            finally
            {
                await GrpcBaselines.StopSharedAsync();
            }
        }

        output.WriteLine();
        WriteTable(results, output);
        if (options.JsonPath is not null)
        {
            WriteJson(options, results, options.JsonPath);
        }
        return results;
    }

    private static void WriteTable(IReadOnlyList<BenchmarkResult> results, TextWriter output)
    {
        output.WriteLine("| metric | GenRay (mean ± std) | alloc B/op | CPU µs/op | Ray published | × Ray | same pattern without GenRay | GenRay / that |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---|---:|");
        foreach (var r in results)
        {
            var ray = r.Ray is { } rayFigure ? Number(rayFigure) : "—";
            var timesRay = r.Ray is { } published ? $"{r.Mean / published:0.#}×" : "—";
            var baseline = r.Baselines.Count > 0 ? string.Join("; ", r.Baselines.Select(b => $"{Number(b.Mean)} ({b.Name})")) : "—";
            var ratio = r.Baselines.Count > 0 ? string.Join("; ", r.Baselines.Select(b => $"{r.Mean / b.Mean:0.00}")) : "—";
            var cpu = r.CpuMicrosPerOp is { } micros ? Number(micros) : "—";
            output.WriteLine($"| {r.Name} | {Number(r.Mean)} ± {Number(r.Std)} {r.Unit} | {r.BytesPerOp:0} | {cpu} | {ray} | {timesRay} | {baseline} | {ratio} |");
        }
        output.WriteLine();
        output.WriteLine($"Machine: {Machine.Describe()}. Ray's figures: m5.16xlarge (64 vCPU), as published.");
    }

    private static void WriteJson(BenchmarkOptions options, IReadOnlyList<BenchmarkResult> results, string path)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("mode", options.Mode);
        json.WriteBoolean("quick", options.Quick);
        json.WriteString("machine", Machine.Describe());
        json.WriteNumber("cores", Environment.ProcessorCount);
        json.WriteString("date", DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture));
        json.WriteStartArray("results");
        foreach (var r in results)
        {
            json.WriteStartObject();
            json.WriteString("name", r.Name);
            json.WriteString("unit", r.Unit);
            json.WriteNumber("mean", r.Mean);
            json.WriteNumber("std", r.Std);
            json.WriteStartArray("rounds");
            foreach (var round in r.Rounds)
            {
                json.WriteNumberValue(round);
            }
            json.WriteEndArray();
            json.WriteNumber("bytes_per_op", r.BytesPerOp);
            if (r.CpuMicrosPerOp is { } cpu)
            {
                json.WriteNumber("cpu_us_per_op", cpu);
            }
            if (r.Ray is { } ray)
            {
                json.WriteNumber("ray_published", ray);
            }
            json.WriteStartArray("baselines");
            foreach (var baseline in r.Baselines)
            {
                json.WriteStartObject();
                json.WriteString("name", baseline.Name);
                json.WriteNumber("mean", baseline.Mean);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string Number(double value) => value switch
    {
        >= 100 => value.ToString("N0", CultureInfo.InvariantCulture),
        >= 1 => value.ToString("0.0#", CultureInfo.InvariantCulture),
        _ => value.ToString("0.####", CultureInfo.InvariantCulture),
    };
}

/// <summary>The machine a run happened on: cores and CPU model.</summary>
internal static class Machine
{
    public static string Describe()
    {
        var model = "unknown CPU";
        try
        {
            model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? model;
        }
        catch (IOException)
        {
        }
        return $"{Environment.ProcessorCount} cores, {model}, .NET {Environment.Version}";
    }
}
