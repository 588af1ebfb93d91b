using System.Diagnostics;
using GenRay.Cluster;
using GenRay.Tests.Actors;
using GenRay.Tests.Support;
using GenRay.Tests.Tasks;

namespace GenRay.Tests.Workers;

/// <summary>
/// What only worker processes have: their lifecycle, their output, and bad input on the wire — a worker that lacks
/// a remote, a malformed or oversized frame, a worker that vanishes mid-call. Each ends in a clear RayException on
/// the affected refs, never a crash or a hang, and the other worker goes on.
/// </summary>
public sealed class WorkerProcessTests : RayTest
{
    protected override void Configure(RayOptions options) => options.WorkerProcesses = 2;

    private static DriverNode Driver => (DriverNode)RayRuntime.Current!.Executor;

    [Fact]
    public void Tasks_and_actors_run_in_worker_processes_not_the_driver()
    {
        Start();

        var pids = Ray.Get(Enumerable.Range(0, 8).Select(_ => WorkerRemotes.Remote.ProcessId()).ToList()).Distinct().ToList();

        Assert.DoesNotContain(Environment.ProcessId, pids);
        Assert.All(pids, pid => Assert.Contains(pid, Driver.Workers.Select(w => w.Pid)));
        Assert.NotEqual(Environment.ProcessId, Ray.Get(Recorder.Remote.New().Pid()));
    }

    // The driver's control streams to the workers it started, and theirs to each other, are Unix sockets: a lone
    // round trip costs a fraction of gRPC's (docs/benchmarks.md). Everything in this class runs over them.
    [Fact]
    public void The_driver_and_its_workers_talk_over_local_sockets()
    {
        Start(); // on Linux, as everything here

        Assert.All(Driver.Workers, w => Assert.NotNull(w.Connection.Transport));
        Assert.NotEqual(Environment.ProcessId, Ray.Get(Recorder.Remote.New().Pid(), TimeSpan.FromSeconds(30)));
    }

    // A thread that makes one call at a time reads the answer off the worker's connection itself, and the
    // connection's reader thread sleeps meanwhile. What comes that no such caller waits for (an answer awaited
    // elsewhere, arriving while a caller reads, or after) must still arrive.
    [Fact]
    public async Task Answers_awaited_elsewhere_arrive_while_and_after_a_caller_reads_its_own()
    {
        StartOneWorkerWithTwoCpus();
        var (awaited, called) = (Ledger.Remote.New(), Ledger.Remote.New());
        var during = Ray.GetAsync(awaited.SlowEcho(7, 100)); // answered while the loop below reads its answers

#pragma warning disable GENRAY0020 // one at a time is what this tests
        var answers = Enumerable.Range(0, 300).Select(i => Ray.Get(called.Append(i), TimeSpan.FromSeconds(30))).ToList();
#pragma warning restore GENRAY0020
        var after = Task.Run(() => Ray.GetAsync(awaited.SlowEcho(8, 1))); // nobody reads for it

        Assert.Equal(Enumerable.Range(0, 300), answers);
        Assert.Equal(7, await during.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(8, await after.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    // Everything the driver sends goes to the same worker, and two tasks fit on it at once.
    private void StartOneWorkerWithTwoCpus() => Start(o =>
    {
        o.WorkerProcesses = 1;
        o.NumCpus = 2;
    });

    // A task or actor call sent alone runs on the thread of the worker that read it (no thread to wake). One that turns
    // out long must not keep that thread from reading what the driver sends next: the reading moves on without it.
    [Fact]
    public void A_long_task_does_not_hold_up_the_next_task_sent_to_its_worker()
    {
        StartOneWorkerWithTwoCpus();
        using var signals = new Faults.FileSignals();
        var worker = Driver.Workers.Single().Pid;
        var slow = WorkerRemotes.Remote.HoldAfterRaising(signals.Directory, "started", 2500);
        signals.Await("started"); // running, alone: it was given the reader's thread

        var watch = Stopwatch.StartNew();
        var quick = Ray.Get(WorkerRemotes.Remote.ProcessId(), TimeSpan.FromSeconds(1.5));

        Assert.Equal(worker, quick);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1.5), $"the second task waited {watch.Elapsed.TotalSeconds:F1} s behind the first");
        Assert.Empty(Ray.Wait([slow], numReturns: 1, timeout: TimeSpan.Zero).Ready); // and the first is still running
        Assert.Equal(worker, Ray.Get(slow));
    }

    [Fact]
    public void A_long_actor_call_does_not_hold_up_a_call_to_another_actor_of_its_worker()
    {
        StartOneWorkerWithTwoCpus();
        using var signals = new Faults.FileSignals();
        var busy = Holder.Remote.New();
        var other = Holder.Remote.New();
        var worker = Ray.Get(busy.Pid());
        Assert.Equal(worker, Ray.Get(other.Pid()));
        var slow = busy.Hold(signals.Directory, "started", 2500);
        signals.Await("started");

        var quick = Ray.Get(other.Pid(), TimeSpan.FromSeconds(1.5));

        Assert.Equal(worker, quick);
        Assert.Empty(Ray.Wait([slow], numReturns: 1, timeout: TimeSpan.Zero).Ready);
        Assert.Equal(worker, Ray.Get(slow));
    }

    [Fact]
    public void A_lone_task_that_waits_for_a_nested_task_gets_its_result()
    {
        Start(o => o.WorkerProcesses = 1);

        // The nested task's result reaches the waiting task through the connection whose reader it was given. One at
        // a time on purpose: each must be alone on the wire to be given the reader.
        for (var i = 0; i < 20; i++)
        {
#pragma warning disable GENRAY0020
            Assert.Equal(i + 1, Ray.Get(WorkerRemotes.Remote.AddOneNested(i), TimeSpan.FromSeconds(20)));
#pragma warning restore GENRAY0020
        }
    }

    [Fact]
    public void Workers_optimize_their_hot_code_after_a_short_tiering_delay()
    {
        Start();

        // Read from the running workers: what they were started with, not what the launcher meant to give them.
        Assert.All(Driver.Workers, worker =>
        {
            var environment = File.ReadAllText($"/proc/{worker.Pid}/environ").Split('\0');
            Assert.Contains("DOTNET_TC_CallCountingDelayMs=10", environment);
        });
    }

    [Fact]
    public void A_tiering_delay_the_user_set_is_kept_for_workers()
    {
        var start = new ProcessStartInfo("dotnet");
        start.Environment["DOTNET_TC_CallCountingDelayMs"] = "250";

        WorkerLauncher.Prepare(start, 0, "jobs");

        Assert.Equal("250", start.Environment["DOTNET_TC_CallCountingDelayMs"]);
        Assert.Equal("1", start.Environment[WorkerLauncher.WorkerVariable]);
    }

    [Fact]
    public void Worker_output_reaches_the_driver_prefixed_with_the_worker_pid()
    {
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(TextWriter.Synchronized(output));
        try
        {
            Start();
            var pid = Ray.Get(WorkerRemotes.Remote.Print("hello from a worker"));

            Assert.True(SpinWait.SpinUntil(() => output.ToString().Contains($"(pid={pid}) hello from a worker"), TimeSpan.FromSeconds(10)),
                $"not forwarded; output was: {output}");
        }
        finally
        {
            Console.SetOut(original);
        }
    }

    [Fact]
    public void Shutdown_stops_every_worker_within_a_second()
    {
        Start();
        var processes = Driver.Workers.Select(w => w.Process).ToList();
        Assert.All(processes, p => Assert.False(p.HasExited));
        var watch = Stopwatch.StartNew();

        Ray.Shutdown();

        Assert.All(processes, p => Assert.True(p.WaitForExit(TimeSpan.FromSeconds(2)), $"worker {p.Id} still running"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"shutdown took {watch.Elapsed.TotalSeconds:F2} s");
    }

    [Fact]
    public void A_worker_that_lacks_a_remote_fails_that_call_saying_so()
    {
        Start();

        WorkerHandle.t_methodIdOverride = "Nowhere.Missing(int)";
        ObjectRef<int> missing;
        try
        {
            missing = TaskRemotes.Remote.Echo(1);
        }
        finally
        {
            WorkerHandle.t_methodIdOverride = null;
        }

        var error = Assert.ThrowsAny<RayException>(() => Ray.Get(missing, TimeSpan.FromSeconds(30)));
        Assert.Contains("no remote 'Nowhere.Missing(int)'", error.Message);
        Assert.Contains("different code", error.Message);
        Assert.Equal(2, Ray.Get(TaskRemotes.Remote.Echo(2)));
    }

    [Fact]
    public void Workers_built_from_different_code_are_refused_naming_both_fingerprints()
    {
        var other = typeof(WorkerProcessTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "OtherApplication").Value!;
        Assert.True(File.Exists(other), other);
        Environment.SetEnvironmentVariable(WorkerLauncher.CommandVariable, $"dotnet {other}"); // the tutorial's build, not ours
        try
        {
            var error = Assert.ThrowsAny<RayException>(() => Start());

            Assert.Contains("was built from different code", error.Message);
            Assert.Contains($"the driver's {GenRay.Internal.RemoteRegistry.Fingerprint()}", error.Message);
            Assert.Contains("same build", error.Message);
            Assert.False(Ray.IsInitialized);
        }
        finally
        {
            Environment.SetEnvironmentVariable(WorkerLauncher.CommandVariable, null);
        }
        Start(); // with the right workers all is well
        Assert.Equal(3, Ray.Get(TaskRemotes.Remote.Add(1, 2), TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void A_malformed_frame_fails_the_work_on_that_worker_and_the_other_goes_on()
    {
        Start(o => o.NumCpus = 4);
        var victim = Driver.Workers[0];
        var held = HoldOn(victim);

        victim.Connection.Send([0x93, 0xc1, 0xc1, 0xc1]); // an array of three "never used" bytes: not a message

        var error = Assert.ThrowsAny<RayException>(() => Ray.Get(held, TimeSpan.FromSeconds(30)));
        Assert.Contains(victim.Name, error.Message);
        Assert.True(victim.IsLost);
        Assert.Equal(3, Ray.Get(TaskRemotes.Remote.Add(1, 2), TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void An_oversized_frame_fails_the_work_on_that_worker_and_the_other_goes_on()
    {
        Start(o => o.NumCpus = 4);
        var victim = Driver.Workers[1];
        var held = HoldOn(victim);

        victim.Connection.Send(new byte[PeerConnection.MaxMessageBytes + 1024]); // over what a worker accepts

        var error = Assert.ThrowsAny<RayException>(() => Ray.Get(held, TimeSpan.FromSeconds(30)));
        Assert.Contains(victim.Name, error.Message);
        Assert.Equal(3, Ray.Get(TaskRemotes.Remote.Add(1, 2), TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void An_argument_too_large_for_one_message_fails_only_its_call_and_says_to_use_Put()
    {
        Start(o => o.NumCpus = 4);
        var running = Enumerable.Range(0, 4).Select(_ => WorkerRemotes.Remote.ProcessId()).ToList();
        var huge = new byte[PeerConnection.MaxMessageBytes + (1 << 20)];

        var error = Assert.ThrowsAny<RayException>(() => Ray.Get(WorkerRemotes.Remote.Checksum(huge), TimeSpan.FromSeconds(30)));

        Assert.Contains("Ray.Put", error.Message);
        Assert.All(Ray.Get(running, TimeSpan.FromSeconds(30)), pid => Assert.Contains(pid, Driver.Workers.Select(w => w.Pid)));
        Assert.All(Driver.Workers, w => Assert.False(w.IsLost));
        Assert.Equal(0L, Ray.Get(WorkerRemotes.Remote.Checksum(Ray.Put(huge)), TimeSpan.FromSeconds(60))); // by reference it goes
    }

    [Fact]
    public void A_worker_killed_mid_call_fails_its_unretried_calls_and_the_other_worker_goes_on()
    {
        Start(o => o.NumCpus = 4);
        var victim = Driver.Workers[0];
        var held = HoldOn(victim);

        victim.Process.Kill();

        var error = Assert.ThrowsAny<RayException>(() => Ray.Get(held, TimeSpan.FromSeconds(30)));
        Assert.Contains(victim.Name, error.Message);
        Assert.Equal(3, Ray.Get(TaskRemotes.Remote.Add(1, 2), TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Large_values_move_between_workers_in_chunks_without_the_driver()
    {
        Start(o => o.NumCpus = 4);

        var made = WorkerRemotes.Remote.Make(64 << 20);          // 64 MiB, stays in the worker that made it
        var sum = WorkerRemotes.Remote.Checksum(made);            // read by a task, maybe in the other worker

        Assert.Equal(WorkerRemotes.Expected(64 << 20), Ray.Get(sum, TimeSpan.FromSeconds(60)));
        Assert.NotNull(made.Remote); // the task read it from the worker that holds it: the driver never had it
        Assert.Equal(64 << 20, Ray.Get(made, TimeSpan.FromSeconds(60)).Length); // the driver fetches it on demand
        Assert.Null(made.Remote);
    }

    [Fact]
    public void A_large_value_forwarded_to_other_processes_stays_held_while_the_driver_has_its_ref()
    {
        Start(o => o.NumCpus = 4);
        var readers = Enumerable.Range(0, 2).Select(_ => LeaseProbe.Remote.New()).ToList(); // one in each worker
        var made = WorkerRemotes.Remote.Make(2 << 20);
        Assert.Single(Ray.Wait([made], 1, TimeSpan.FromSeconds(30)).Ready);

        // The driver forwards the holder's address to both workers (the holder itself among them); each reads the
        // value, then drops its ref and tells the holder so.
        Assert.All(Ray.Get(readers.Select(r => r.Checksum(made)).ToList()), sum => Assert.Equal(WorkerRemotes.Expected(2 << 20), sum));
        Assert.Equal(2, Ray.Get(readers.Select(r => r.DropReleasedLeases()).ToList()).Distinct().Count());

        Assert.Equal(2 << 20, Ray.Get(made, TimeSpan.FromSeconds(30)).Length); // still held for the driver
    }

    [Fact]
    public void A_large_value_is_read_through_shared_memory_and_its_file_goes_with_the_last_ref()
    {
        Start(o => o.NumCpus = 4);
        var probes = Enumerable.Range(0, 2).Select(_ => LeaseProbe.Remote.New()).ToList(); // one in each worker
        var holder = Ray.Get(probes[0].DropReleasedLeases());

        var weak = MakeThereReadHere(probes[0], probes[1], holder);

        // Every ref dropped (the driver's, the reader's): the holder deletes the file.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.False(weak.TryGetTarget(out _), "the driver still references the ref it dropped");
        ((ClusterNode)RayRuntime.Current!.Executor).Leases.Flush();
        Ray.Get(probes.Select(p => p.DropReleasedLeases()).ToList());
        Assert.True(SpinWait.SpinUntil(() => !SharedMemory.FilesOf(holder).Any(), TimeSpan.FromSeconds(10)),
            $"left behind: {string.Join(", ", SharedMemory.FilesOf(holder))}");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference<ObjectRef<byte[]>> MakeThereReadHere(ActorHandle<LeaseProbe> maker, ActorHandle<LeaseProbe> reader, int makerPid)
    {
        var made = maker.Make(8 << 20);
        Assert.Single(Ray.Wait([made], 1, TimeSpan.FromSeconds(30)).Ready);
        var sum = Ray.Get(reader.Checksum(made), TimeSpan.FromSeconds(30));
        Assert.Single(SharedMemory.FilesOf(makerPid)); // held in shared memory, where the reader mapped it
        Assert.Equal(WorkerRemotes.Expected(8 << 20), sum);
        return new WeakReference<ObjectRef<byte[]>>(made);
    }

    [Fact]
    public void A_1_GiB_array_moves_from_one_worker_to_the_other()
    {
        Start(o => o.NumCpus = 4);
        var probes = Enumerable.Range(0, 2).Select(_ => LeaseProbe.Remote.New()).ToList(); // one in each worker

        var made = probes[0].Make(1 << 30);

        Assert.Equal(WorkerRemotes.Expected(1 << 30), Ray.Get(probes[1].Checksum(made), TimeSpan.FromMinutes(2)));
    }

    [Fact]
    public void Shared_memory_files_of_a_killed_worker_are_removed()
    {
        Start(o => o.NumCpus = 4);
        var probe = LeaseProbe.Remote.New();
        var pid = Ray.Get(probe.DropReleasedLeases());
        var made = probe.Make(4 << 20);
        Assert.Equal(4 << 20, Ray.Get(made, TimeSpan.FromSeconds(30)).Length); // the driver read it: the file exists
        Assert.Single(SharedMemory.FilesOf(pid));

        Driver.Workers.Single(w => w.Pid == pid).Process.Kill();

        Assert.True(SpinWait.SpinUntil(() => !SharedMemory.FilesOf(pid).Any(), TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Shared_memory_files_of_processes_that_are_gone_are_removed_when_a_driver_starts()
    {
        // A file of a pid no process has (a driver killed with kill -9), one of a pid reused by a process started
        // after it was written, and one of a process still running (this one, written now).
        var dead = Enumerable.Range(0, 1000).Select(i => 4_000_000 - i).First(pid => !Directory.Exists($"/proc/{pid}"));
        var orphan = $"/dev/shm/genray-{dead}-test-{Guid.NewGuid():N}";
        var reused = $"/dev/shm/genray-{Environment.ProcessId}-test-{Guid.NewGuid():N}";
        var live = $"/dev/shm/genray-{Environment.ProcessId}-test-{Guid.NewGuid():N}";
        File.WriteAllBytes(orphan, new byte[64]);
        File.WriteAllBytes(reused, new byte[64]);
        File.SetLastWriteTimeUtc(reused, Process.GetCurrentProcess().StartTime.ToUniversalTime().AddMinutes(-10));
        File.WriteAllBytes(live, new byte[64]);
        try
        {
            Start();

            Assert.False(File.Exists(orphan), "the file of a pid no process has is still there");
            Assert.False(File.Exists(reused), "the file written before its pid's process started is still there");
            Assert.True(File.Exists(live), "the file of a running process was removed");
        }
        finally
        {
            File.Delete(orphan);
            File.Delete(reused);
            File.Delete(live);
        }
    }

    [Fact]
    public void With_shared_memory_off_large_values_stream_in_chunks()
    {
        Environment.SetEnvironmentVariable("GENRAY_OBJECT_TRANSFER", "stream"); // the workers inherit it
        try
        {
            Start(o => o.NumCpus = 4);
            var probes = Enumerable.Range(0, 2).Select(_ => LeaseProbe.Remote.New()).ToList();
            var holder = Ray.Get(probes[0].DropReleasedLeases());
            var made = probes[0].Make(3 << 20);

            Assert.Equal(WorkerRemotes.Expected(3 << 20), Ray.Get(probes[1].Checksum(made), TimeSpan.FromSeconds(30)));
            Assert.Equal(3 << 20, Ray.Get(made, TimeSpan.FromSeconds(30)).Length);
            Assert.Empty(SharedMemory.FilesOf(holder));
        }
        finally
        {
            Environment.SetEnvironmentVariable("GENRAY_OBJECT_TRANSFER", null);
        }
    }

    // Starts tasks that hold a CPU each until the test ends, until one runs on the given worker (tasks go to the
    // least busy worker, so this takes one or two). Not retried: the tests see the failure the worker's loss causes.
    private static ObjectRef<int> HoldOn(WorkerHandle worker)
    {
        for (var i = 0; i < Driver.Workers.Count; i++)
        {
            var started = Signal.Remote.New();
            var held = TaskRemotes.Remote.With(new TaskOptions { MaxRetries = 0 }).HoldCpuUntil(started, Signal.Remote.New());
            Coordination.WaitFor(started);
            if (worker.Running > 0)
            {
                return held;
            }
        }
        throw new InvalidOperationException($"no task landed on {worker.Name}");
    }
}

/// <summary>An actor that says it started a call, then keeps its thread a while (see <see cref="WorkerRemotes.HoldAfterRaising"/>).</summary>
[Remote]
public sealed partial class Holder
{
    public int Hold(string directory, string name, int millis) => WorkerRemotes.HoldAfterRaising(directory, name, millis);

    public int Pid() => Environment.ProcessId;
}

public static partial class WorkerRemotes
{
    [Remote]
    public static int ProcessId() => Environment.ProcessId;

    [Remote]
    public static int AddOne(int x) => x + 1;

    [Remote]
    public static int AddOneNested(int x) => Ray.Get(Remote.AddOne(x));

    /// <summary>Says it started, then keeps its thread for a while without a GenRay wait (as a long computation does).</summary>
    [Remote]
    public static int HoldAfterRaising(string directory, string name, int millis)
    {
        Faults.FileSignals.Raise(directory, name);
        Thread.Sleep(millis);
        return Environment.ProcessId;
    }

    [Remote]
    public static int Print(string line)
    {
        Console.WriteLine(line);
        return Environment.ProcessId;
    }

    [Remote]
    public static byte[] Make(int size)
    {
        var bytes = new byte[size];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i * 31);
        }
        return bytes;
    }

    [Remote]
    public static long Checksum(byte[] bytes)
    {
        long sum = 0;
        foreach (var b in bytes)
        {
            sum += b;
        }
        return sum;
    }

    public static long Expected(int size)
    {
        long sum = 0;
        for (var i = 0; i < size; i++)
        {
            sum += (byte)(i * 31);
        }
        return sum;
    }
}

/// <summary>Reads a value in its worker, then makes the worker release every lease it no longer uses, now.</summary>
[Remote]
public sealed partial class LeaseProbe
{
    public long Checksum(byte[] bytes) => WorkerRemotes.Checksum(bytes);

    public byte[] Make(int size) => WorkerRemotes.Make(size);

    public int DropReleasedLeases()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        ((ClusterNode)RayRuntime.Current!.Executor).Leases.Flush();
        return Environment.ProcessId;
    }
}
