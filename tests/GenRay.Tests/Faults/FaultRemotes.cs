namespace GenRay.Tests.Faults;

/// <summary>The remotes of the fault tests. They coordinate through <see cref="FileSignals"/>, which outlive killed workers.</summary>
public static partial class FaultRemotes
{
    /// <summary>
    /// Records each attempt (<c>attempt-N</c> holding this process id), then holds its CPU until <c>gate</c> exists.
    /// Returns how many attempts there were. It ignores cancellation: only a forced cancel stops it.
    /// </summary>
    [Remote]
    public static int RecordAndHold(string directory)
    {
        var attempt = NextAttempt(directory);
        FileSignals.Raise(directory, $"attempt-{attempt}", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        FileSignals.WaitFor(directory, "gate", TimeSpan.FromSeconds(60));
        return attempt;
    }

    /// <summary>Submits <see cref="ChildAwaitingCancellation"/> and blocks in Get on it.</summary>
    [Remote]
    public static int ParentOfCancellable(string directory) => Ray.Get(Remote.ChildAwaitingCancellation(directory));

    /// <summary>Raises <c>child-started</c>, then <c>child-cancelled</c> if its token fires within 30 s.</summary>
    [Remote]
    public static int ChildAwaitingCancellation(string directory, CancellationToken cancellation)
    {
        FileSignals.Raise(directory, "child-started");
        if (cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(30)))
        {
            FileSignals.Raise(directory, "child-cancelled");
            return 1;
        }
        return 0;
    }

    [Remote]
    public static int ProcessId() => Environment.ProcessId;

    // Attempts are numbered by the files already there: one attempt runs at a time in these tests.
    private static int NextAttempt(string directory)
    {
        var attempt = 1;
        while (FileSignals.IsRaised(directory, $"attempt-{attempt}"))
        {
            attempt++;
        }
        return attempt;
    }
}

/// <summary>An actor whose constructor and calls leave files behind, so tests see restarts and reruns across deaths.</summary>
[Remote]
public partial class Survivor
{
    private readonly string _directory;

    public Survivor(string directory, string name)
    {
        _directory = directory;
        FileSignals.Append(directory, "starts", $"{name} {Environment.ProcessId}");
    }

    public int Pid() => Environment.ProcessId;

    /// <summary>Records the attempt (<c>call-N</c> holding the pid), holds until <c>gate</c> exists, returns the attempt.</summary>
    public int Hold()
    {
        var attempt = 1;
        while (FileSignals.IsRaised(_directory, $"call-{attempt}"))
        {
            attempt++;
        }
        FileSignals.Raise(_directory, $"call-{attempt}", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        FileSignals.WaitFor(_directory, "gate", TimeSpan.FromSeconds(60));
        return attempt;
    }
}

/// <summary>Large results (held by the worker that made them, not sent back inline) that log each run.</summary>
public static partial class LineageRemotes
{
    public const int Size = 1 << 20; // over the inline limit: the value stays in the worker

    [Remote]
    public static byte[] Make(string directory, byte seed)
    {
        FileSignals.Append(directory, "make", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Expected(seed);
    }

    [Remote]
    public static byte[] Reverse(string directory, byte[] bytes)
    {
        FileSignals.Append(directory, "reverse", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var reversed = (byte[])bytes.Clone();
        Array.Reverse(reversed);
        return reversed;
    }

    /// <summary>Like <see cref="Make"/>, but raises <c>make-started</c> and holds until <c>make-gate</c> exists.</summary>
    [Remote]
    public static byte[] MakeGated(string directory, byte seed)
    {
        FileSignals.Append(directory, "make", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        FileSignals.Raise(directory, "make-started");
        FileSignals.WaitFor(directory, "make-gate", TimeSpan.FromSeconds(60));
        return Expected(seed);
    }

    /// <summary>Like <see cref="Make"/>, but while <c>hold</c> exists a run raises <c>holding</c> and holds until <c>gate</c> exists.</summary>
    [Remote]
    public static byte[] MakeHolding(string directory, byte seed)
    {
        FileSignals.Append(directory, "make", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (FileSignals.IsRaised(directory, "hold"))
        {
            FileSignals.Raise(directory, "holding");
            FileSignals.WaitFor(directory, "gate", TimeSpan.FromSeconds(60));
        }
        return Expected(seed);
    }

    /// <summary>
    /// Gets refs it was given inside its argument (not dependencies: it runs at once) and sums their bytes, once
    /// <c>reader-gate</c> exists. Raises <c>reader-started</c> holding its pid.
    /// </summary>
    [Remote]
    public static long SumNested(string directory, List<ObjectRef<byte[]>> values)
    {
        FileSignals.Append(directory, "reader", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        FileSignals.Raise(directory, "reader-started", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        FileSignals.WaitFor(directory, "reader-gate", TimeSpan.FromSeconds(60));
        return values.Sum(v => Ray.Get(v).Sum(b => (long)b));
    }

    /// <summary>Puts a large value in this worker (its owner) and returns the ref.</summary>
    [Remote]
    public static ObjectRef<byte[]> PutHere(byte seed) => Ray.Put(Expected(seed));

    public static byte[] Expected(byte seed)
    {
        var bytes = new byte[Size];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i * seed);
        }
        return bytes;
    }
}
