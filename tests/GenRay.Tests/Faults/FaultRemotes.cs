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
