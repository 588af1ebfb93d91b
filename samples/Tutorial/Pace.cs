namespace Tutorial;

/// <summary>
/// How long the tutorial's sleeps last. The seed sleeps whole seconds; <c>--fast</c> scales every sleep down
/// tenfold (the values stay the same) so tests can run the tutorial in a few seconds. Read from the
/// environment so worker processes started by GenRay sleep the same.
/// </summary>
public static class Pace
{
    public const string Variable = "GENRAY_TUTORIAL_FAST";

    public static double Scale => Environment.GetEnvironmentVariable(Variable) == "1" ? 0.1 : 1.0;

    public static void Sleep(double seconds) => Thread.Sleep(TimeSpan.FromSeconds(seconds * Scale));
}
