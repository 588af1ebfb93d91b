namespace GenRay.Benchmarks;

/// <summary>
/// One metric of the suite: Ray's name, its figure as published (m5.16xlarge, 64 vCPU; null where Ray publishes
/// none), how many operations one run of the workload counts for, and the workload itself. Some metrics also
/// time the same pattern with plain .NET (<see cref="Baselines"/>, beside in-process figures) and over raw gRPC
/// (<see cref="GrpcBaselines"/>, beside figures across processes).
/// </summary>
internal sealed record Metric(
    string Name,
    double? Ray,
    double Multiplier,
    Func<Func<ValueTask>> Workload,
    string? BaselineName = null,
    Func<Func<ValueTask>>? Baseline = null,
    string Unit = "ops/s")
{
    /// <summary>The same message pattern over raw gRPC: (what, workload) pairs.</summary>
    public IReadOnlyList<(string Name, Func<GrpcBaselines, Func<ValueTask>> Workload)> Transport { get; init; } = [];

    /// <summary>The same pattern as Orleans grains (<see cref="OrleansBaselines"/>), beside figures of either kind: what it is, and the workload.</summary>
    public (string Pattern, Func<OrleansBaselines, Func<ValueTask>> Workload)? Orleans { get; init; }

    /// <summary>Only meaningful when work crosses processes (in one process the value never moves).</summary>
    public bool CrossProcessOnly { get; init; }

    /// <summary>For a metric whose operation times itself (it must exclude its set-up): seconds per operation.</summary>
    public Func<Func<ValueTask<double>>>? SelfTimed { get; init; }
}

/// <summary>Ray's <c>ray_perf.py</c>, metric for metric, in its order, plus GenRay's await-based variants.</summary>
internal static class Suite
{
    public static IReadOnlyList<Metric> Metrics()
    {
        var nCpu = Math.Max(2, Environment.ProcessorCount / 2);
        return
        [
            new("single_client_get_calls", 10_620, 1, () =>
            {
                var value = Ray.Put(0);
                return () =>
                {
                    Ray.Get(value);
                    return default;
                };
            }),
            new("single_client_put_calls", 5_173, 1, () => () =>
            {
                Ray.Put(0);
                return default;
            }),
            new("multi_client_put_calls", null, 1000, () => () =>
            {
                var tasks = new ObjectRef[10];
                for (var i = 0; i < tasks.Length; i++)
                {
                    tasks[i] = PerfTasks.Remote.DoPutSmall();
                }
                Ray.Get(tasks);
                return default;
            }),
            new("single_client_put_gigabytes", 19.9, 0.8, () =>
            {
                var array = new long[100 * 1024 * 1024]; // 800 MB, as Ray's np.zeros(100 * 1024 * 1024, int64)
                return () =>
                {
                    Ray.Put(array);
                    return default;
                };
            }, Unit: "GB/s"),
            new("single_client_tasks_and_get_batch", 5.8, 1, () => () =>
            {
                SubmitAndGet(1000);
                return default;
            }),
            new("single_client_get_object_containing_10k_refs", 13.4, 1, () =>
            {
                var containing = PerfTasks.Remote.CreateObjectContainingRef();
                Ray.Get(containing);
                return () =>
                {
                    Ray.Get(containing);
                    return default;
                };
            }),
            new("single_client_wait_1k_refs", 5.1, 1, () => () =>
            {
                IReadOnlyList<ObjectRef<byte[]>> notReady = Submit(1000);
                while (notReady.Count > 0)
                {
                    notReady = Ray.Wait(notReady).NotReady;
                }
                return default;
            }),
            new("single_client_tasks_sync", 981, 1, () => () =>
            {
                Ray.Get(PerfTasks.Remote.SmallValue());
                return default;
            }, "Task.Run(f).Result", Baselines.TaskRunSync) { Transport = PingPong, Orleans = ("stateless worker, one call at a time, blocking", o => o.TaskSync()) },
            new("single_client_tasks_await", null, 1, () => async () => await PerfTasks.Remote.SmallValue(),
                "await Task.Run(f)", Baselines.TaskRunAwait) { Transport = PingPong },
            new("single_client_tasks_async", 8_041, 1000, () => () =>
            {
                SubmitAndGet(1000);
                return default;
            }, "1000 × Task.Run, WaitAll", () => Baselines.TaskRunBatch(1000)) { Transport = Thousand, Orleans = ("stateless worker, 1000 calls then WhenAll", o => o.TaskBatch(1000)) },
            new("multi_client_tasks_async", 21_230, 10_000 * 4, () =>
            {
                var actors = Enumerable.Range(0, 4).Select(_ => PerfActor.Remote.New()).ToList();
                return () =>
                {
                    Ray.Get(actors.Select(a => a.SmallValueBatch(10_000)));
                    return default;
                };
            }, "4 callers × 10,000 Task.Run, WaitAll", () => Baselines.TaskRunManyCallers(4, 10_000))
            {
                Orleans = ("stateless worker, 4 callers × 10,000 calls", o => o.TasksMany(4, 10_000)),
            },
            new("1_1_actor_calls_sync", 2_012, 1, () =>
            {
                var actor = PerfActor.Remote.New();
                return () =>
                {
                    Ray.Get(actor.SmallValue());
                    return default;
                };
            }, "Channel<T> actor, .Result", Baselines.ChannelActorSync) { Transport = PingPong, Orleans = ("grain, one call at a time, blocking", o => o.ActorSync()) },
            new("1_1_actor_calls_await", null, 1, () =>
            {
                var actor = PerfActor.Remote.New();
                return async () => await actor.SmallValue();
            }, "Channel<T> actor, await", Baselines.ChannelActorAwait) { Transport = PingPong, Orleans = ("grain, one call at a time, await", o => o.ActorAwait()) },
            new("1_1_actor_calls_async", 8_664, 1000, () =>
            {
                var actor = PerfActor.Remote.New();
                return () =>
                {
                    CallAndGet(actor, 1000);
                    return default;
                };
            }, "Channel<T> actor, 1000 then WaitAll", () => Baselines.ChannelActorBatch(1000)) { Transport = Thousand, Orleans = ("grain, 1000 calls then WhenAll", o => o.ActorBatch(1000)) },
            new("1_1_actor_calls_concurrent", 5_775, 1000, () =>
            {
                var actor = PerfActor.Remote.With(new ActorOptions { MaxConcurrency = 16 }).New();
                return () =>
                {
                    CallAndGet(actor, 1000);
                    return default;
                };
            }),
            new("1_n_actor_calls_async", 8_038, 5000 * nCpu, () =>
            {
                var servers = Enumerable.Range(0, nCpu).Select(_ => PerfActor.Remote.New()).ToList();
                var client = PerfClient.Remote.New(servers, new List<ActorHandle<PerfAsyncActor>>());
                return () =>
                {
                    Ray.Get(client.SmallValueBatch(5000));
                    return default;
                };
            })
            {
                Orleans = ($"{nCpu} grains, 5000 × {nCpu} calls then WhenAll", o => o.ActorsMany(1, nCpu, 5000 * nCpu)),
            },
            new("n_n_actor_calls_async", 27_376, 5000 * 4, () =>
            {
                var actors = Enumerable.Range(0, nCpu).Select(_ => PerfActor.Remote.New()).ToList();
                return () =>
                {
                    Ray.Get(Enumerable.Range(0, 4).Select(_ => PerfTasks.Remote.Work(actors, 5000)));
                    return default;
                };
            }, $"Channel<T> actors, 4 callers × 5000 over {nCpu}", () => Baselines.ChannelActorsMany(4, nCpu, 5000))
            {
                Orleans = ($"{nCpu} grains, 4 callers × 5000 calls", o => o.ActorsMany(4, nCpu, 5000)),
            },
            new("n_n_actor_calls_with_arg_async", 2_759, 1000 * nCpu, () =>
            {
                var clients = Enumerable.Range(0, nCpu).Select(_ => PerfClient.Remote.New(new List<ActorHandle<PerfActor>> { PerfActor.Remote.New() }, new List<ActorHandle<PerfAsyncActor>>())).ToList();
                return () =>
                {
                    Ray.Get(clients.Select(c => c.SmallValueBatchArg(1000)));
                    return default;
                };
            }),
            new("1_1_async_actor_calls_sync", null, 1, () =>
            {
                var actor = PerfAsyncActor.Remote.New();
                return () =>
                {
                    Ray.Get(actor.SmallValue());
                    return default;
                };
            })
            {
                Orleans = ("grain, one call at a time, blocking", o => o.ActorSync()),
            },
            new("1_1_async_actor_calls_async", null, 1000, () =>
            {
                var actor = PerfAsyncActor.Remote.New();
                return () =>
                {
                    var calls = new ObjectRef<byte[]>[1000];
                    for (var i = 0; i < calls.Length; i++)
                    {
                        calls[i] = actor.SmallValue();
                    }
                    Ray.Get(calls);
                    return default;
                };
            })
            {
                Orleans = ("grain, 1000 calls then WhenAll", o => o.ActorBatch(1000)),
            },
            new("worker_to_worker_100mb_gigabytes", null, Transfer / 1e9, () => () => default, Unit: "GB/s")
            {
                CrossProcessOnly = true,
                SelfTimed = MoveBetweenWorkers,
                Transport = [("gRPC server stream, 1 MiB messages", g => g.Download(Transfer))],
            },
        ];
    }

    private const int Transfer = 100 << 20;

    private static readonly IReadOnlyList<(string, Func<GrpcBaselines, Func<ValueTask>>)> PingPong =
        [("Unix socket ping-pong", g => g.SocketPingPong()), ("gRPC duplex ping-pong", g => g.PingPong()), ("gRPC unary", g => g.Unary())];

    private static readonly IReadOnlyList<(string, Func<GrpcBaselines, Func<ValueTask>>)> Thousand =
        [("Unix socket, 1000 messages in one write", g => g.SocketBatched(1000)), ("gRPC, 1000 messages, one per write", g => g.OnePerWrite(1000)), ("gRPC, 1000 messages batched in one", g => g.Batched(1000))];

    /// <summary>
    /// A 100 MiB array made by an actor in one worker, then read by an actor in the other (actors go to the worker
    /// with the fewest, so two made in a row land apart): the consumer fetches it from the producer's process.
    /// Only the consumer's call is timed, not the making.
    /// </summary>
    private static Func<ValueTask<double>> MoveBetweenWorkers()
    {
        var producer = PerfTransfer.Remote.New();
        var consumer = PerfTransfer.Remote.New();
        if (Ray.Get(producer.Pid()) == Ray.Get(consumer.Pid()))
        {
            throw new InvalidOperationException("The producer and the consumer share a worker: this metric needs two worker processes.");
        }
        return () =>
        {
            var data = producer.Make(Transfer);
            Ray.Wait([data], timeout: TimeSpan.FromMinutes(1));
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var length = Ray.Get(consumer.Length(data));
            var seconds = watch.Elapsed.TotalSeconds;
            if (length != Transfer)
            {
                throw new InvalidOperationException($"The consumer got {length} bytes of {Transfer}.");
            }
            return ValueTask.FromResult(seconds);
        };
    }

    private static ObjectRef<byte[]>[] Submit(int n)
    {
        var submitted = new ObjectRef<byte[]>[n];
        for (var i = 0; i < n; i++)
        {
            submitted[i] = PerfTasks.Remote.SmallValue();
        }
        return submitted;
    }

    private static void SubmitAndGet(int n) => Ray.Get(Submit(n));

    private static void CallAndGet(ActorHandle<PerfActor> actor, int n)
    {
        var calls = new ObjectRef<byte[]>[n];
        for (var i = 0; i < n; i++)
        {
            calls[i] = actor.SmallValue();
        }
        Ray.Get(calls);
    }
}
