// A job built twice, as edition 1 (assembly version 1.0.0.0) and edition 2 (2.0.0.0) of the same assembly,
// VersionedJob. The cluster tests run both at once against one cluster: each job's workers must run its own build.
using GenRay;
using VersionedJob;

using var ray = Ray.Init(); // GENRAY_ADDRESS names the cluster
Console.WriteLine($"started {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");
foreach (var line in Ray.Get(Enumerable.Range(0, 4).Select(_ => Job.Remote.Describe(1500)).ToList(), TimeSpan.FromSeconds(120)))
{
    Console.WriteLine(line);
}
Console.WriteLine($"ended {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");

namespace VersionedJob
{
    public static partial class Job
    {
#if EDITION2
        public const string Edition = "edition-2";
#else
        public const string Edition = "edition-1";
#endif

        /// <summary>Which build of this assembly runs the task, in which load context and process.</summary>
        [Remote]
        public static string Describe(int millis)
        {
            Thread.Sleep(millis);
            var assembly = typeof(Job).Assembly;
            var context = System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(assembly);
            return $"ran {Edition} {assembly.GetName().Version} in '{context?.Name}' collectible={context?.IsCollectible} pid={Environment.ProcessId}";
        }
    }
}
