// A job that uses, or owns, a named actor another job of the cluster also uses (GENRAY_ADDRESS names the cluster).
//   use NAMESPACE NAME   reach the other job's actor: from this driver, from a task given the handle, from a task that
//                        looks it up by name, with an argument still being computed; then try to take its name
//   own NAMESPACE NAME   create the actor, say "ready", and keep it until a line arrives on stdin
// NAMESPACE "-" means none (the job's own anonymous namespace).
using GenRay;
using GenRay.ClusterJobs;

var (mode, ns, name) = (args[0], args[1] == "-" ? null : args[1], args[2]);
using var ray = Ray.Init(new RayOptions { Namespace = ns });
Console.WriteLine($"namespace {ray.Namespace}");
if (mode == "own")
{
    var owned = SharedTally.Remote.With(new ActorOptions { Name = name }).New();
    Console.WriteLine($"ready {Ray.Get(owned.Pid())}");
    Console.ReadLine();
    try
    {
        Console.WriteLine($"total {Ray.Get(owned.Total())}");
    }
    catch (ActorDiedException error)
    {
        Console.WriteLine($"total failed: {error.Message}");
    }
    return;
}

ActorHandle<SharedTally> tally;
try
{
    tally = Ray.GetActor<SharedTally>(name);
}
catch (RayException error)
{
    Console.WriteLine($"lookup failed: {error.Message}");
    return;
}
Console.WriteLine($"driver add {Ray.Get(tally.Add(10, "driver"))}");
Console.WriteLine($"task with handle {Ray.Get(Helpers.Remote.AddWith(tally, 5))}");
Console.WriteLine($"task by name {Ray.Get(Helpers.Remote.AddByName(name, 7))}");
Console.WriteLine($"pending argument {Ray.Get(tally.Add(Helpers.Remote.Slowly(3), "pending"))}");
var block = tally.Block(300_000);
Console.WriteLine($"held block {Ray.Get(block).Length} {Ray.Get(Helpers.Remote.Length(block))}");
try
{
    SharedTally.Remote.With(new ActorOptions { Name = name }).New();
    Console.WriteLine("second claim accepted");
}
catch (RayException error)
{
    Console.WriteLine($"second claim refused: {error.Message}");
}

namespace GenRay.ClusterJobs
{
    public static partial class Helpers
    {
        [Remote]
        public static int AddWith(ActorHandle<SharedTally> tally, int amount) => Ray.Get(tally.Add(amount, "task"));

        [Remote]
        public static int AddByName(string name, int amount) => Ray.Get(Ray.GetActor<SharedTally>(name).Add(amount, "lookup"));

        [Remote]
        public static int Slowly(int amount)
        {
            Thread.Sleep(500);
            return amount;
        }

        [Remote]
        public static int Length(byte[] block) => block.Length;
    }
}
