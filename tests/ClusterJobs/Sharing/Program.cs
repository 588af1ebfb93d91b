// A job of 1-CPU tasks in rounds with a pause between them, for two at once on one cluster: each task says on
// which node it ran and when, so the test can count how many ran at once on each node, across both jobs.
// Arguments: tasks per round, rounds, task millis, pause millis.
using System.Globalization;
using GenRay;
using SharingJob;

var (tasks, rounds, millis, pause) = (Arg(0), Arg(1), Arg(2), Arg(3));
using var ray = Ray.Init(); // GENRAY_ADDRESS names the cluster
Console.WriteLine($"started {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");
for (var round = 0; round < rounds; round++)
{
    if (round > 0)
    {
        Thread.Sleep(pause); // the job's holdings idle: the nodes may grant them to the other job
    }
    foreach (var span in Ray.Get(Enumerable.Range(0, tasks).Select(_ => Work.Remote.Span(millis)).ToList(), TimeSpan.FromSeconds(120)))
    {
        Console.WriteLine($"span {span}");
    }
}
Console.WriteLine($"ended {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");

int Arg(int index) => int.Parse(args[index], CultureInfo.InvariantCulture);

namespace SharingJob
{
    public static partial class Work
    {
        /// <summary>Holds one CPU for <paramref name="millis"/>: "node-daemon-pid start-ms end-ms".</summary>
        [Remote]
        public static string Span(int millis)
        {
            var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            Thread.Sleep(millis);
            var end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            return $"{DaemonPid()} {start} {end}";
        }

        // A cluster worker is a child of its node's daemon: the daemon's pid names the node.
        private static int DaemonPid()
        {
            // /proc/self/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after its closing parenthesis.
            var stat = File.ReadAllText("/proc/self/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
    }
}
