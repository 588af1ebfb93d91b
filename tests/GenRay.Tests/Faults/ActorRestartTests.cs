using System.Diagnostics;
using System.Globalization;
using GenRay.Tests.Support;

namespace GenRay.Tests.Faults;

/// <summary>
/// An actor's worker process dies: the actor restarts in a live worker (its constructor runs again with the
/// original arguments) within MaxRestarts; calls in flight are sent again within MaxTaskRetries or fail with
/// ActorDiedException; once restarts are spent every call fails, saying why.
/// </summary>
public sealed class ActorRestartTests : RayTest
{
    private readonly FileSignals _files = new();

    protected override void Configure(RayOptions options) => options.WorkerProcesses = 2;

    [Fact]
    public void An_actor_restarts_in_a_live_worker_with_its_original_arguments()
    {
        Start();
        var actor = Survivor.Remote.With(new ActorOptions { MaxRestarts = 1 }).New(_files.Directory, "first");
        var pid = Ray.Get(actor.Pid(), TimeSpan.FromSeconds(30));

        Process.GetProcessById(pid).Kill();

        // A call sent before the driver saw the death would be in flight and fail (MaxTaskRetries = 0): wait for
        // the constructor to run again first.
        Assert.True(SpinWait.SpinUntil(() => _files.Lines("starts").Length == 2, TimeSpan.FromSeconds(60)), "the actor was not restarted");
        var restartedIn = Ray.Get(actor.Pid(), TimeSpan.FromSeconds(60));
        Assert.NotEqual(pid, restartedIn);
        Assert.Equal([$"first {pid}", $"first {restartedIn}"], _files.Lines("starts"));
    }

    [Fact]
    public void Once_restarts_are_spent_calls_fail_with_actor_died_saying_why()
    {
        Start();
        var actor = Survivor.Remote.New(_files.Directory, "mortal"); // MaxRestarts = 0, Ray's default
        var pid = Ray.Get(actor.Pid(), TimeSpan.FromSeconds(30));

        Process.GetProcessById(pid).Kill();

        var error = Assert.Throws<ActorDiedException>(() => Ray.Get(actor.Pid(), TimeSpan.FromSeconds(30)));
        Assert.Contains($"pid {pid}", error.Message);
        Assert.Contains("died", error.Message);
        Assert.Contains("MaxRestarts = 0", error.Message);
        Assert.Single(_files.Lines("starts"));
    }

    [Fact]
    public void A_call_in_flight_when_the_worker_dies_fails_without_max_task_retries()
    {
        Start();
        var actor = Survivor.Remote.With(new ActorOptions { MaxRestarts = 1 }).New(_files.Directory, "once");
        var call = actor.Hold();
        var pid = int.Parse(_files.Await("call-1"), CultureInfo.InvariantCulture);

        Process.GetProcessById(pid).Kill();

        var error = Assert.Throws<ActorDiedException>(() => Ray.Get(call, TimeSpan.FromSeconds(30)));
        Assert.Contains("MaxTaskRetries = 0", error.Message);
        Assert.NotEqual(pid, Ray.Get(actor.Pid(), TimeSpan.FromSeconds(60))); // restarted, and later calls run
        Assert.False(File.Exists(_files.PathOf("call-2")), "the call ran again although MaxTaskRetries = 0");
    }

    [Fact]
    public void A_call_in_flight_when_the_worker_dies_runs_again_with_max_task_retries()
    {
        Start();
        var actor = Survivor.Remote.With(new ActorOptions { MaxRestarts = 1, MaxTaskRetries = 1 }).New(_files.Directory, "twice");
        var call = actor.Hold();
        var after = actor.Pid(); // queued behind the call: must run after it, in the restarted actor
        var pid = int.Parse(_files.Await("call-1"), CultureInfo.InvariantCulture);

        Process.GetProcessById(pid).Kill();

        var retriedIn = int.Parse(_files.Await("call-2", TimeSpan.FromSeconds(60)), CultureInfo.InvariantCulture);
        Assert.False(Ray.Wait([after], timeout: TimeSpan.Zero).Ready.Count > 0, "a later call overtook the retried one");
        _files.Raise("gate");
        Assert.Equal(2, Ray.Get(call, TimeSpan.FromSeconds(30)));
        Assert.NotEqual(pid, retriedIn);
        Assert.Equal(retriedIn, Ray.Get(after, TimeSpan.FromSeconds(30)));
    }

    protected override void AfterShutdown() => _files.Dispose();
}
