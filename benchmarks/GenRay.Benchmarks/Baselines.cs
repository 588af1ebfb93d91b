using System.Threading.Channels;

namespace GenRay.Benchmarks;

/// <summary>
/// The same message patterns with nothing but .NET: <c>Task.Run</c> for tasks, and a <see cref="Channel{T}"/>
/// drained by one loop for an actor. GenRay's figure beside these shows the overhead of the runtime itself.
/// </summary>
internal static class Baselines
{
    private static readonly byte[] s_ok = "ok"u8.ToArray();

    private static byte[] SmallValue() => s_ok;

    public static Func<ValueTask> TaskRunSync() => () =>
    {
        Task.Run(SmallValue).GetAwaiter().GetResult();
        return default;
    };

    public static Func<ValueTask> TaskRunAwait() => async () => await Task.Run(SmallValue);

    public static Func<ValueTask> TaskRunBatch(int n) => () =>
    {
        var tasks = new Task<byte[]>[n];
        for (var i = 0; i < n; i++)
        {
            tasks[i] = Task.Run(SmallValue);
        }
        Task.WaitAll(tasks);
        return default;
    };

    /// <summary>Several callers at once, each on a pool thread as an actor's turn is, submitting <paramref name="n"/> and waiting for them.</summary>
    public static Func<ValueTask> TaskRunManyCallers(int callers, int n)
    {
        var batch = TaskRunBatch(n);
        return () =>
        {
            var clients = new Task[callers];
            for (var c = 0; c < callers; c++)
            {
                clients[c] = Task.Run(() => batch().AsTask());
            }
            Task.WaitAll(clients);
            return default;
        };
    }

    public static Func<ValueTask> ChannelActorSync()
    {
        var actor = new ChannelActor();
        return () =>
        {
            actor.SmallValue().GetAwaiter().GetResult();
            return default;
        };
    }

    public static Func<ValueTask> ChannelActorAwait()
    {
        var actor = new ChannelActor();
        return async () => await actor.SmallValue();
    }

    public static Func<ValueTask> ChannelActorBatch(int n)
    {
        var actor = new ChannelActor();
        return () =>
        {
            var calls = new Task<byte[]>[n];
            for (var i = 0; i < n; i++)
            {
                calls[i] = actor.SmallValue();
            }
            Task.WaitAll(calls);
            return default;
        };
    }

    /// <summary>n:n: <paramref name="callers"/> threads, each making <paramref name="n"/> calls spread over <paramref name="actors"/> actors.</summary>
    public static Func<ValueTask> ChannelActorsMany(int callers, int actors, int n)
    {
        var servers = Enumerable.Range(0, actors).Select(_ => new ChannelActor()).ToArray();
        return () =>
        {
            var work = new Task[callers];
            for (var c = 0; c < callers; c++)
            {
                work[c] = Task.Run(() =>
                {
                    var calls = new Task<byte[]>[n];
                    for (var i = 0; i < n; i++)
                    {
                        calls[i] = servers[i % servers.Length].SmallValue();
                    }
                    Task.WaitAll(calls);
                });
            }
            Task.WaitAll(work);
            return default;
        };
    }

    /// <summary>An actor as a plain .NET object: a channel of requests, one reader, a completion source per call.</summary>
    private sealed class ChannelActor
    {
        private readonly Channel<TaskCompletionSource<byte[]>> _mailbox =
            Channel.CreateUnbounded<TaskCompletionSource<byte[]>>(new UnboundedChannelOptions { SingleReader = true });

        public ChannelActor() => _ = Task.Run(Loop);

        public Task<byte[]> SmallValue()
        {
            var call = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            _mailbox.Writer.TryWrite(call);
            return call.Task;
        }

        private async Task Loop()
        {
            var reader = _mailbox.Reader;
            while (await reader.WaitToReadAsync())
            {
                while (reader.TryRead(out var call))
                {
                    call.TrySetResult(s_ok);
                }
            }
        }
    }
}
