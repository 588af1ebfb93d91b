// A Native AOT build of a GenRay program: tasks, dependencies, an actor, values of user types, all in two
// worker processes that are this same native executable started again in worker mode.
using GenRay;

var workers = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 2;
var hang = args.Contains("--hang"); // for the orphan test: stay up until killed
using var ray = Ray.Init(new RayOptions { WorkerProcesses = workers, NumCpus = 4 });

var squares = Ray.Get(Enumerable.Range(1, 4).Select(i => Jobs.Remote.Square(i)).ToList());
Console.WriteLine($"squares: {string.Join(", ", squares)}");

var total = Jobs.Remote.Sum(Jobs.Remote.Square(3), Jobs.Remote.Square(4));
Console.WriteLine($"sum: {Ray.Get(total)}");

var report = Ray.Get(Jobs.Remote.Run(new Job("matrix", [1.5, 2.5], Priority.High)));
Console.WriteLine($"report: {report.Name} {report.Total} {report.Worker != Environment.ProcessId}");

var counter = Counter.Remote.New(5);
for (var i = 0; i < 4; i++)
{
    counter.Inc();
}
Console.WriteLine($"counter: {Ray.Get(counter.GetValue())}");
Console.WriteLine($"handle passed to a task: {Ray.Get(Jobs.Remote.Bump(counter))}");

try
{
    Ray.Get(Jobs.Remote.Fail());
}
catch (RayTaskException error)
{
    Console.WriteLine($"error: {error.ExceptionTypeName}: {error.ExceptionMessage}");
}

if (hang)
{
    Console.WriteLine("hanging");
    Thread.Sleep(Timeout.Infinite);
}

public enum Priority { Low, High }

public sealed record Job(string Name, double[] Weights, Priority Priority);

public sealed record Report(string Name, double Total, int Worker);

public static partial class Jobs
{
    [Remote] public static int Square(int x) => x * x;

    [Remote] public static int Sum(int a, int b) => a + b;

    [Remote] public static Report Run(Job job) => new(job.Name, job.Weights.Sum() * (job.Priority == Priority.High ? 2 : 1), Environment.ProcessId);

    [Remote] public static int Bump(ActorHandle<Counter> counter)
    {
        counter.Inc();
        return Ray.Get(counter.GetValue());
    }

    [Remote] public static int Fail() => throw new InvalidOperationException("failed on purpose");
}

[Remote]
public partial class Counter(int start)
{
    private int _value = start;

    public void Inc() => _value++;

    public int GetValue() => _value;
}
