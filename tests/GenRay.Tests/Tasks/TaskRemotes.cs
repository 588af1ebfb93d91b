using GenRay.Tests.Support;

namespace GenRay.Tests.Tasks;

/// <summary>The remote functions the task tests call. State is static and reset by each test that reads it.</summary>
public static partial class TaskRemotes
{
    public static Peak Concurrency = new();
    public static SemaphoreSlim Gate = new(0);
    public static ManualResetEventSlim Started = new();
    public static int Attempts;
    public static int Runs;
    public static int[]? Shared;

    public static void Reset()
    {
        Concurrency = new Peak();
        Gate = new SemaphoreSlim(0);
        Started = new ManualResetEventSlim();
        Attempts = 0;
        Runs = 0;
        Shared = null;
    }

    [Remote]
    public static int Add(int x, int y = 0) => x + y;

    [Remote]
    public static int Echo(int x) => x;

    [Remote]
    public static int Sleep(int millis)
    {
        using (Concurrency.Enter())
        {
            Thread.Sleep(millis);
        }
        return millis;
    }

    [Remote(NumCpus = 2)]
    public static int SleepOnTwoCpus(int millis) => SleepBody(millis);

    [Remote(NumCpus = 0.5)]
    public static int SleepOnHalfCpu(int millis) => SleepBody(millis);

    [Remote(Resources = new[] { "disk=1" })]
    public static int SleepOnDisk(int millis) => SleepBody(millis);

    [Remote]
    public static (int Value, double Timestamp) Stamp(int x)
    {
        Thread.Sleep(200);
        return (x, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
    }

    [Remote]
    public static int WaitAtGate()
    {
        Started.Set();
        Gate.Wait();
        return 1;
    }

    [Remote]
    public static ObjectRef<int> MakeRef(int x) => Remote.Echo(x);

    [Remote]
    public static int Unwrap(ObjectRef<int> inner) => Ray.Get(inner);

    [Remote]
    public static int Sum(int[] values) => values.Sum();

    [Remote]
    public static bool IsShared(int[] values) => ReferenceEquals(values, Shared);

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

    /// <summary>A parent blocked in Get on a child that sleeps.</summary>
    [Remote]
    public static int ParentOfSleeper(int millis) => Ray.Get(Remote.Sleep(millis));

    [Remote]
    public static int Flaky(int failures)
    {
        if (Interlocked.Increment(ref Attempts) <= failures)
        {
            throw new TimeoutException($"attempt {Attempts} fails");
        }
        return Attempts;
    }

    [Remote(RetryExceptions = true, MaxRetries = 2)]
    public static int FlakyRetried(int failures) => FlakyBody(failures);

    [Remote(RetryExceptionTypes = new[] { typeof(TimeoutException) }, MaxRetries = 5)]
    public static int FlakyRetriedOnTimeout(int failures) => FlakyBody(failures);

    [Remote]
    public static int WaitForCancellation(CancellationToken cancellation)
    {
        Started.Set();
        var cancelled = cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(10));
        return cancelled ? 1 : 0;
    }

    [Remote]
    public static int CountRun()
    {
        Interlocked.Increment(ref Runs);
        return Runs;
    }

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

    private static int SleepBody(int millis)
    {
        using (Concurrency.Enter())
        {
            Thread.Sleep(millis);
        }
        return millis;
    }

    private static int FlakyBody(int failures)
    {
        if (Interlocked.Increment(ref Attempts) <= failures)
        {
            throw new TimeoutException($"attempt {Attempts} fails");
        }
        return Attempts;
    }
}
