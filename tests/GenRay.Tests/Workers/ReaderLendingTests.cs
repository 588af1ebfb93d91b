using System.Collections.Concurrent;
using System.Threading.Channels;
using GenRay.Cluster;
using Grpc.Core;
using MessagePack;

namespace GenRay.Tests.Workers;

/// <summary>
/// A connection lends its reader's thread to the work a batch's last message starts (a lone task or actor call then
/// runs without waking a thread), and takes the reading elsewhere when that work blocks or runs long, so what comes
/// next is still read.
/// </summary>
public sealed class ReaderLendingTests
{
    private readonly Channel<MessageBatch> _incoming = Channel.CreateUnbounded<MessageBatch>();
    private readonly ConcurrentQueue<string> _events = new();

    private PeerConnection Connect(bool lends, Action<int> onMessage)
    {
        var connection = new PeerConnection("a test peer", (_, _) => Task.CompletedTask, new Incoming(_incoming.Reader)) { LendsReader = lends };
        _ = connection.RunAsync(new Handler(onMessage));
        return connection;
    }

    private void Arrive(params int[] messages)
    {
        var batch = MessageBatch.Outgoing();
        foreach (var n in messages)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            var writer = new MessagePackWriter(buffer);
            writer.WriteArrayHeader(2);
            writer.Write((byte)MessageKind.Hello);
            writer.Write(n);
            writer.Flush();
            batch.Append(buffer.WrittenSpan);
        }
        batch.Seal();
        Assert.True(_incoming.Writer.TryWrite(batch));
    }

    [Fact]
    public void Work_lent_the_reader_by_a_batchs_last_message_runs_on_the_reader_thread_before_the_next_read()
    {
        var readerThread = 0;
        var workThread = 0;
        var lent = new ConcurrentDictionary<int, bool>();
        using var done = new ManualResetEventSlim();
        Connect(lends: true, n =>
        {
            _events.Enqueue($"message {n}");
            readerThread = Environment.CurrentManagedThreadId;
            lent[n] = PeerConnection.TryLendReader(new Work(() =>
            {
                workThread = Environment.CurrentManagedThreadId;
                _events.Enqueue($"work of {n}");
            }));
            if (n == 3)
            {
                done.Set();
            }
        });

        Arrive(1, 2); // two in one batch: only the last may borrow the reader
        Assert.True(SpinWait.SpinUntil(() => _events.Contains("work of 2"), TimeSpan.FromSeconds(10)));
        Assert.Equal(readerThread, workThread);
        Arrive(3);
        Assert.True(done.Wait(TimeSpan.FromSeconds(10)));

        Assert.False(lent[1]);
        Assert.True(lent[2]);
        Assert.Equal(["message 1", "message 2", "work of 2", "message 3"], _events.Take(4));
    }

    [Fact]
    public void A_connection_that_does_not_lend_its_reader_and_a_thread_that_reads_nothing_refuse()
    {
        using var handled = new ManualResetEventSlim();
        var lent = true;
        Connect(lends: false, _ =>
        {
            lent = PeerConnection.TryLendReader(new Work(() => { }));
            handled.Set();
        });

        Arrive(1);

        Assert.True(handled.Wait(TimeSpan.FromSeconds(10)));
        Assert.False(lent);
        Assert.False(PeerConnection.TryLendReader(new Work(() => { })));
    }

    [Fact]
    public void Lent_work_that_waits_for_the_next_message_gets_it()
    {
        using var second = new ManualResetEventSlim();
        using var workDone = new ManualResetEventSlim();
        var sawSecond = false;
        Connect(lends: true, n =>
        {
            if (n == 1)
            {
                PeerConnection.TryLendReader(new Work(() =>
                {
                    PeerConnection.ReaderBlocking(); // as a task's Ray.Get does before it waits
                    sawSecond = second.Wait(TimeSpan.FromSeconds(10));
                    workDone.Set();
                }));
            }
            else
            {
                second.Set();
            }
        });

        Arrive(1);
        Arrive(2); // read by another thread while the first message's work waits for it

        Assert.True(workDone.Wait(TimeSpan.FromSeconds(20)));
        Assert.True(sawSecond);
    }

    [Fact]
    public async Task Lent_work_that_runs_long_is_left_behind_and_the_reading_goes_on()
    {
        var handledWhileRunning = new ConcurrentQueue<int>();
        using var release = new ManualResetEventSlim();
        var running = false;
        var connection = new PeerConnection("a test peer", (_, _) => Task.CompletedTask, new Incoming(_incoming.Reader)) { LendsReader = true };
        var ended = connection.RunAsync(new Handler(n =>
        {
            if (n == 1)
            {
                PeerConnection.TryLendReader(new Work(() =>
                {
                    Volatile.Write(ref running, true);
                    // Busy, without telling anyone it waits (a long computation, a Thread.Sleep): the watch moves the reading.
                    SpinWait.SpinUntil(() => release.IsSet, TimeSpan.FromSeconds(20));
                    Volatile.Write(ref running, false);
                }));
            }
            else if (Volatile.Read(ref running))
            {
                handledWhileRunning.Enqueue(n);
            }
        }));

        Arrive(1);
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref running), TimeSpan.FromSeconds(10)));
        Arrive(2);
        Arrive(3);
        var read = SpinWait.SpinUntil(() => handledWhileRunning.Count == 2, TimeSpan.FromSeconds(10));
        release.Set();

        Assert.True(read, $"messages read while the lent work ran: {handledWhileRunning.Count} of 2");
        Assert.Equal([2, 3], handledWhileRunning);
        Assert.False(ended.IsCompleted); // the connection lives on in the new read loop
        _incoming.Writer.Complete();
        await ended.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private sealed class Work(Action action) : IThreadPoolWorkItem
    {
        public void Execute() => action();
    }

    private sealed class Handler(Action<int> onMessage) : IPeerHandler
    {
        public void OnMessage(PeerConnection peer, MessageKind kind, ref MessagePackReader reader) => onMessage(reader.ReadInt32());

        public void OnClosed(PeerConnection peer, Exception? error)
        {
        }
    }

    private sealed class Incoming(ChannelReader<MessageBatch> reader) : IAsyncStreamReader<MessageBatch>
    {
        public MessageBatch Current { get; private set; } = null!;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (!await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
            Current = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
    }
}
