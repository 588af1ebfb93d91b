using System.Diagnostics;

namespace GenRay.Benchmarks;

/// <summary>
/// Ray's <c>timeit</c> (ray_microbenchmark_helpers.py): warm up for a second, then four rounds of at least two
/// seconds, each running the workload in steps of a tenth of the warm-up count; the figure is the mean and
/// standard deviation of <c>multiplier × runs / seconds</c> over the rounds. Also counts bytes allocated and CPU
/// time used per op, and keeps each round's figure: with worker processes the first rounds can still be warming up
/// (the JIT optimizes a hot method only after it has run a while), which the mean alone hides.
/// </summary>
internal static class Timeit
{
    public static async Task<Measurement> Run(Func<ValueTask> workload, double multiplier, bool quick)
    {
        var warmup = TimeSpan.FromSeconds(quick ? 0.05 : 1);
        var round = TimeSpan.FromSeconds(quick ? 0.05 : 2);

        var count = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < warmup)
        {
            await workload();
            count++;
        }

        var step = (count / 10) + 1;
        var rates = new double[4];
        long totalRuns = 0;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var cpuBefore = ProcessTreeCpu.Now();
        for (var r = 0; r < rates.Length; r++)
        {
            var runs = 0;
            watch.Restart();
            while (watch.Elapsed < round)
            {
                for (var i = 0; i < step; i++)
                {
                    await workload();
                }
                runs += step;
            }
            rates[r] = multiplier * runs / watch.Elapsed.TotalSeconds;
            totalRuns += runs;
        }
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var cpu = ProcessTreeCpu.Now() - cpuBefore;

        return new Measurement(rates, allocated / (multiplier * totalRuns), cpu?.TotalMicroseconds / (multiplier * totalRuns));
    }

    /// <summary>
    /// For operations that time themselves (large transfers, whose set-up must not count): one warm-up, then five
    /// operations (one when quick), each giving its own seconds.
    /// </summary>
    public static async Task<Measurement> RunSelfTimed(Func<ValueTask<double>> operation, double multiplier, bool quick)
    {
        await operation();
        var rates = new double[quick ? 1 : 5];
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var cpuBefore = ProcessTreeCpu.Now();
        for (var r = 0; r < rates.Length; r++)
        {
            rates[r] = multiplier / await operation();
        }
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var cpu = ProcessTreeCpu.Now() - cpuBefore;
        return new Measurement(rates, allocated / (multiplier * rates.Length), cpu?.TotalMicroseconds / (multiplier * rates.Length));
    }
}

/// <summary>
/// A figure: each round's ops per second (their mean ± standard deviation is the figure), bytes the driver allocated per
/// op, and CPU time per op of the driver and its workers together (µs; null where /proc is not there). Both per-op
/// figures cover all rounds.
/// </summary>
internal sealed record Measurement(IReadOnlyList<double> Rounds, double BytesPerOp, double? CpuMicrosPerOp)
{
    public double Mean => Rounds.Average();

    public double Std
    {
        get
        {
            var mean = Mean;
            return Math.Sqrt(Rounds.Select(x => (x - mean) * (x - mean)).Average());
        }
    }
}
