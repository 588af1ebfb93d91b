using GenRay;

namespace GenRay.Tests.Support;

/// <summary>
/// Starts GenRay for one test and shuts it down after. Suites derive from this through an abstract class
/// per area, with one sealed subclass per execution mode, so every mode runs the same tests.
/// </summary>
public abstract class RayTest : IDisposable
{
    private RayRuntime? _runtime;

    protected RayTest()
    {
        Ray.Shutdown(); // a failed test must not leave the next one a running runtime
    }

    /// <summary>Starts GenRay with the suite's defaults, overridden by <paramref name="configure"/>.</summary>
    protected RayRuntime Start(Action<RayOptions>? configure = null)
    {
        // Strict serialization: what would fail between processes fails here too (issue: a suite for every mode).
        var options = new RayOptions { NumCpus = 2, StrictSerialization = true };
        Configure(options);
        configure?.Invoke(options);
        _runtime = Ray.Init(options);
        return _runtime;
    }

    /// <summary>True when remotes run in this process (no worker processes).</summary>
    protected bool InProcess => _runtime is { Options.WorkerProcesses: 0, Options.Address: null };

    /// <summary>The execution mode's settings.</summary>
    protected virtual void Configure(RayOptions options)
    {
    }

    /// <summary>Cleans up what the test made besides GenRay, once GenRay is shut down (its workers gone).</summary>
    protected virtual void AfterShutdown()
    {
    }

    public void Dispose()
    {
        _runtime?.Dispose();
        Ray.Shutdown();
        AfterShutdown();
        GC.SuppressFinalize(this);
    }
}
