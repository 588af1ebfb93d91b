using GenRay.Tests.Support;

namespace GenRay.Tests.Tasks;

/// <summary>
/// The remote functions the task tests call. Nothing here shares state with the test through static fields:
/// in worker-process mode these run in other processes. Tests coordinate through actors (<see cref="Signal"/>,
/// <see cref="Tally"/>) and through what remotes return (intervals on the machine-wide monotonic clock).
/// </summary>
public static partial class TaskRemotes
{
    [Remote]
    public static int Add(int x, int y = 0) => x + y;

    [Remote]
    public static int Echo(int x) => x;

    /// <summary>Sleeps and returns when it ran: concurrency is measured from these intervals.</summary>
    [Remote]
    public static (long Start, long End) Sleep(int millis) => Interval(millis);

    [Remote(NumCpus = 2)]
    public static (long Start, long End) SleepOnTwoCpus(int millis) => Interval(millis);

    [Remote(NumCpus = 0.5)]
    public static (long Start, long End) SleepOnHalfCpu(int millis) => Interval(millis);

    [Remote(Resources = new[] { "disk=1" })]
    public static (long Start, long End) SleepOnDisk(int millis) => Interval(millis);

    [Remote]
    public static (int Value, double Timestamp) Stamp(int x)
    {
        Thread.Sleep(200);
        return (x, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
    }

    /// <summary>Holds its CPU (it polls, never blocks in Get) until the gate opens.</summary>
    [Remote]
    public static int HoldCpuUntil(ActorHandle<Signal> started, ActorHandle<Signal> gate)
    {
        started.Open();
        Coordination.HoldUntil(gate);
        return 1;
    }

    [Remote]
    public static ObjectRef<int> MakeRef(int x) => Remote.Echo(x);

    [Remote]
    public static int Unwrap(ObjectRef<int> inner) => Ray.Get(inner);

    [Remote]
    public static int Sum(int[] values) => values.Sum();

    [Remote]
    public static int Fail(string message) => throw new InvalidOperationException(message);

    [Remote]
    public static async Task<int> FailAsync(string message)
    {
        await Task.Yield();
        throw new ArgumentException(message);
    }

    /// <summary>2^depth, each level submitting two children and blocking in Get on them.</summary>
    [Remote]
    public static int NestedCount(int depth) =>
        depth == 0 ? 1 : Ray.Get(Remote.NestedCount(depth - 1)) + Ray.Get(Remote.NestedCount(depth - 1));

    /// <summary>2^depth, each level awaiting its children.</summary>
    [Remote]
    public static async Task<int> NestedCountAsync(int depth) =>
        depth == 0 ? 1 : await Remote.NestedCountAsync(depth - 1) + await Remote.NestedCountAsync(depth - 1);

    /// <summary>A parent blocked in Get on a child that sleeps; returns the child's interval.</summary>
    [Remote]
    public static (long Start, long End) ParentOfSleeper(int millis) => Ray.Get(Remote.Sleep(millis));

    /// <summary>Fails its first <paramref name="failures"/> attempts (counted by <paramref name="attempts"/>).</summary>
    [Remote]
    public static int Flaky(ActorHandle<Tally> attempts, int failures) => FlakyBody(attempts, failures);

    [Remote(RetryExceptions = true, MaxRetries = 2)]
    public static int FlakyRetried(ActorHandle<Tally> attempts, int failures) => FlakyBody(attempts, failures);

    [Remote(RetryExceptionTypes = new[] { typeof(TimeoutException) }, MaxRetries = 5)]
    public static int FlakyRetriedOnTimeout(ActorHandle<Tally> attempts, int failures) => FlakyBody(attempts, failures);

    [Remote]
    public static int WaitForCancellation(ActorHandle<Signal> started, CancellationToken cancellation)
    {
        started.Open();
        var cancelled = cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(10));
        return cancelled ? 1 : 0;
    }

    [Remote]
    public static int CountRun(ActorHandle<Tally> runs) => Ray.Get(runs.Next());

    [Remote]
    public static void Noop()
    {
    }

    [Remote]
    public static async Task NoopAsync() => await Task.Yield();

    [Remote]
    public static async Task<string> Greet(string name)
    {
        await Task.Delay(1);
        return $"hello {name}";
    }

    [Remote]
    public static async ValueTask<int> Twice(int x)
    {
        await Task.Yield();
        return 2 * x;
    }

    [Remote]
    public static string Describe(string text = "none", double scale = 1.5, DayOfWeek day = DayOfWeek.Friday, int? maybe = null) =>
        $"{text}/{scale}/{day}/{maybe?.ToString() ?? "null"}";

    private static (long, long) Interval(int millis)
    {
        var start = Coordination.Now();
        Thread.Sleep(millis);
        return (start, Coordination.Now());
    }

    private static int FlakyBody(ActorHandle<Tally> attempts, int failures)
    {
        var attempt = Ray.Get(attempts.Next());
        if (attempt <= failures)
        {
            throw new TimeoutException($"attempt {attempt} fails");
        }
        return attempt;
    }
}
