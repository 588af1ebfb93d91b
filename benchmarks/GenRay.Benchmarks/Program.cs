// Ray's microbenchmark (python/ray/_private/ray_perf.py), ported: same metric names, same workloads, same
// measurement. dotnet run -c Release --project benchmarks/GenRay.Benchmarks -- [--mode inprocess|workers:N|address:HOST:PORT] [--filter NAME] [--quick] [--json FILE]
// Tables for docs/benchmarks.md from full runs: -- --median RUN1.json RUN2.json RUN3.json
using GenRay;
using GenRay.Benchmarks;

if (args is [GrpcBaselines.ServeFlag])
{
    await GrpcBaselines.ServeAsync();
    return 0;
}

if (args is [OrleansBaselines.SiloFlag])
{
    await OrleansBaselines.ServeAsync();
    return 0;
}

if (args is [MedianTable.Flag, .. var runs])
{
    try
    {
        MedianTable.Write(runs, Console.Out);
        return 0;
    }
    catch (ArgumentException error)
    {
        Console.Error.WriteLine(error.Message);
        return 2;
    }
}

BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (ArgumentException error)
{
    Console.Error.WriteLine(error.Message);
    return 2;
}

try
{
    await Runner.RunAsync(options, Console.Out);
    return 0;
}
catch (Exception error) when (error is RayException or ArgumentException)
{
    Console.Error.WriteLine(error.Message);
    return 1;
}
