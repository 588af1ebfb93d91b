// "Modern Parallel and Distributed Python: A Quick Tutorial on Ray" (Robert Nishihara, 2019), cell by cell,
// in C# with GenRay. Run: dotnet run --project samples/Tutorial [-- --fast] [-- --workers N]
using System.Diagnostics;
using GenRay;
using Tutorial;

var fast = args.Contains("--fast");
var workers = args.SkipWhile(a => a != "--workers").Skip(1).Select(int.Parse).FirstOrDefault();
if (fast)
{
    Environment.SetEnvironmentVariable(Pace.Variable, "1");
}

// ### From Functions to Tasks
// In [2]: start GenRay. The tutorial assumes at least 4 cores; logical CPUs make that so on any machine.
using var ray = Ray.Init(new RayOptions
{
    NumCpus = Math.Max(4, Environment.ProcessorCount),
    WorkerProcesses = workers,
    IgnoreReinitError = true,
});

// Start 4 tasks in parallel.
var watch = Stopwatch.StartNew();
var taskIds = new List<ObjectRef<(int, double)>>();
for (var i = 0; i < 4; i++)
{
    taskIds.Add(Remotes.Remote.F(i));
}
// Wait for the tasks to complete and retrieve the results. With at least 4 CPUs, this takes 1 second.
var results = Ray.Get(taskIds); // [0, 1, 2, 3]
Console.WriteLine(Python.List(results));
Console.WriteLine($"Wall time: {watch.Elapsed.TotalSeconds:F2} s");

// In [3]
foreach (var result in results)
{
    Console.WriteLine(result);
}

// ##### Task dependencies
// In [4]
var xId = Remotes.Remote.CreateMatrix(new[] { 1000, 1000 });
var yId = Remotes.Remote.CreateMatrix(new[] { 1000, 1000 });
var zId = Remotes.Remote.MultiplyMatrices(xId, yId);
// Get the results.
var z = Ray.Get(zId);
Console.WriteLine(Matrix.Format(z));
// In [5]
Console.WriteLine(Matrix.Shape(z));
// In [6]
Console.WriteLine($"({xId}, {yId}, {zId})");

// ##### Aggregating Values Efficiently
// In [20]: aggregate the values slowly. This approach takes O(n) where n is the number of values; here 7 seconds.
watch.Restart();
var id1 = Remotes.Remote.Add(1, 2);
var id2 = Remotes.Remote.Add(id1, 3);
var id3 = Remotes.Remote.Add(id2, 4);
var id4 = Remotes.Remote.Add(id3, 5);
var id5 = Remotes.Remote.Add(id4, 6);
var id6 = Remotes.Remote.Add(id5, 7);
var id7 = Remotes.Remote.Add(id6, 8);
Console.WriteLine(Ray.Get(id7));
Console.WriteLine($"Wall time: {watch.Elapsed.TotalSeconds:F2} s");

// In [21]: aggregate the values in a tree-structured pattern. This approach takes O(log(n)); here 3 seconds.
watch.Restart();
id1 = Remotes.Remote.Add(1, 2);
id2 = Remotes.Remote.Add(3, 4);
id3 = Remotes.Remote.Add(5, 6);
id4 = Remotes.Remote.Add(7, 8);
id5 = Remotes.Remote.Add(id1, id2);
id6 = Remotes.Remote.Add(id3, id4);
id7 = Remotes.Remote.Add(id5, id6);
Console.WriteLine(Ray.Get(id7));
Console.WriteLine($"Wall time: {watch.Elapsed.TotalSeconds:F2} s");

// In [26]: slow approach. The list holds refs: Ray.Put turns each starting value into one.
watch.Restart();
List<ObjectRef<int>> values = [.. new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }.Select(Ray.Put)];
while (values.Count > 1)
{
    values = [Remotes.Remote.Add(values[0], values[1]), .. values[2..]];
}
Console.WriteLine(Ray.Get(values[0]));
Console.WriteLine($"Wall time: {watch.Elapsed.TotalSeconds:F2} s");

// In [27]: fast approach.
watch.Restart();
values = [.. new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }.Select(Ray.Put)];
while (values.Count > 1)
{
    values = [.. values[2..], Remotes.Remote.Add(values[0], values[1])];
}
Console.WriteLine(Ray.Get(values[0]));
Console.WriteLine($"Wall time: {watch.Elapsed.TotalSeconds:F2} s");

// ### From Classes to Actors
// In [46]: create an actor.
var a = Adder.Remote.New();
// Check the actor's counter value.
Console.WriteLine(Ray.Get(a.GetSum()));
// Increment the counter ten times and check the value again.
for (var i = 0; i < 10; i++)
{
    a.Add(i);
}
Console.WriteLine(Ray.Get(a.GetSum())); // 45

// In [93]: 1000 numbers over 3 actors, then over 10, 5 and 2.
foreach (var nActors in new[] { 3, 10, 5, 2 })
{
    var startTime = Stopwatch.GetTimestamp();
    const int NNumbers = 1000;
    var actors = new List<ActorHandle<Adder>>();
    for (var i = 0; i < nActors; i++)
    {
        actors.Add(Adder.Remote.New());
    }
    for (var n = 0; n < NNumbers; n++)
    {
        var i = n % nActors;
        actors[i].Add(n);
    }
    var sum = Ray.Get(actors.Select(actor => actor.GetSum())).Sum();
    Console.WriteLine($"result={sum} in {Stopwatch.GetElapsedTime(startTime).TotalSeconds} sec [actors={nActors}]");
}

// In [28]: the Counter actor.
var c = Counter.Remote.New(5);
// Check the actor's counter value.
Console.WriteLine(Ray.Get(c.GetValue())); // 5
// Increment the counter four times and check the value again.
for (var i = 0; i < 4; i++)
{
    c.Inc();
}
Console.WriteLine(Ray.Get(c.GetValue())); // 9

// #### Actor Handles
// In [21]: several worker tasks push messages to an actor; the main program reads them periodically.
var messageActor = MessageActor.Remote.New();
// Start 3 tasks that push messages to the actor.
var pushers = Enumerable.Range(0, 3).Select(j => Remotes.Remote.Worker(messageActor, j)).ToList();
// Periodically get the messages and print them.
for (var i = 0; i < 10; i++)
{
    var newMessages = Ray.Get(messageActor.GetAndClearMessages());
    Console.WriteLine($"New MSG:\n {Python.List(newMessages.Select(Python.Quote))}");
    Pace.Sleep(1);
}
Ray.Get(pushers);
Console.WriteLine($"Left after the last read: {Python.List(Ray.Get(messageActor.GetAndClearMessages()).Select(Python.Quote))}");
