using System.Collections.Concurrent;
using System.Diagnostics;
using GenRay.Cluster;
using Grpc.Core;
using MessagePack;

namespace GenRay.Tests.Workers;

/// <summary>
/// The connection's writer, against a write that behaves as gRPC's does when the stream has room (it completes
/// before returning, after some microseconds of framing): what goes out, in how many gRPC messages, on which thread.
/// </summary>
public sealed class PeerConnectionTests
{
    private readonly ConcurrentQueue<int> _received = new();
    private readonly ConcurrentQueue<int> _writerThreads = new();
    private int _writes;

    private PeerConnection Connect(TimeSpan costOfAWrite) => new("a test peer", (batch, _) =>
    {
        _writerThreads.Enqueue(Environment.CurrentManagedThreadId);
        var reader = new MessagePackReader(batch.Bytes);
        for (var count = reader.ReadArrayHeader(); count > 0; count--)
        {
            _received.Enqueue(reader.ReadInt32());
        }
        Spin(costOfAWrite);
        Interlocked.Increment(ref _writes);
        return Task.CompletedTask;
    }, new NothingToRead());

    private static byte[] Message(int n)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.Write(n);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    [Fact]
    public void A_lone_message_goes_out_at_once_on_the_senders_thread()
    {
        var connection = Connect(TimeSpan.Zero);

        connection.Send(Message(7));

        Assert.Equal(1, Volatile.Read(ref _writes)); // written before Send returned: no thread was woken for it
        Assert.Equal([Environment.CurrentManagedThreadId], _writerThreads);
        Assert.Equal([7], _received);
    }

    [Fact]
    public void A_burst_shares_gRPC_messages_and_keeps_its_order()
    {
        const int n = 10_000;
        var connection = Connect(TimeSpan.FromMicroseconds(50));

        for (var i = 0; i < n; i++)
        {
            connection.Send(Message(i));
        }
        WaitFor(() => _received.Count >= n); // the pool thread writing the rest

        Assert.Equal(Enumerable.Range(0, n), _received);
        // Written on the sender's thread, each write would carry one message: 10,000 writes of 50 µs each.
        Assert.True(_writes <= n / 10, $"{n} messages took {_writes} writes");
    }

    // A round trip at a time: the peer answers within the busy window (over a local socket it does), and what the
    // sender sends next must not wait for a pool thread as the next message of a burst would.
    [Fact]
    public void A_message_that_follows_an_answer_goes_out_at_once_even_within_the_busy_window()
    {
        const int rounds = 200;
        var reader = new AnsweringReader();
        var writes = 0;
        var writerThreads = new ConcurrentQueue<int>();
        var connection = new PeerConnection("a test peer", (_, _) =>
        {
            writerThreads.Enqueue(Environment.CurrentManagedThreadId);
            Interlocked.Increment(ref writes);
            reader.Answer(); // the peer answers while the write is on its way
            return Task.CompletedTask;
        }, reader);
        _ = connection.RunAsync(new IgnoreAll());
        var message = Message(1);
        var late = 0;

        for (var i = 1; i <= rounds; i++)
        {
            connection.Send(message); // within a microsecond or so of the write before: in its busy window, but after an answer
            if (Volatile.Read(ref writes) < i)
            {
                late++; // left to a pool thread
                WaitFor(() => Volatile.Read(ref writes) >= i);
            }
        }

        Assert.Equal(0, late);
        Assert.All(writerThreads, thread => Assert.Equal(Environment.CurrentManagedThreadId, thread));
        connection.Close();
    }

    // Hands the read loop an empty batch whenever the test says, and returns once the loop has handled it (it asks for the next).
    private sealed class AnsweringReader : IAsyncStreamReader<MessageBatch>
    {
        private readonly object _gate = new();
        private TaskCompletionSource<bool>? _next;
        private int _asks;

        public MessageBatch Current { get; } = new([0x90]); // an empty array: no messages

        public void Answer()
        {
            lock (_gate)
            {
                while (_next is null)
                {
                    Assert.True(Monitor.Wait(_gate, 10_000), "the read loop did not ask for a batch");
                }
                var asked = _asks;
                var next = _next!;
                _next = null;
                next.SetResult(true);
                while (_asks == asked)
                {
                    Assert.True(Monitor.Wait(_gate, 10_000), "the read loop did not take the batch");
                }
            }
        }

        public Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            var next = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                _next = next;
                _asks++;
                Monitor.PulseAll(_gate);
            }
            return next.Task.WaitAsync(cancellationToken);
        }
    }

    private sealed class IgnoreAll : IPeerHandler
    {
        public void OnMessage(PeerConnection peer, MessageKind kind, ref MessagePackReader reader) => reader.Skip();

        public void OnClosed(PeerConnection peer, Exception? error)
        {
        }
    }

    [Fact]
    public void Messages_over_the_batch_limit_are_split_between_gRPC_messages_in_order()
    {
        var sizes = new ConcurrentQueue<int>();
        var received = new ConcurrentQueue<byte>();
        var connection = new PeerConnection("a test peer", (batch, _) =>
        {
            sizes.Enqueue(batch.Bytes.Length);
            var reader = new MessagePackReader(batch.Bytes);
            for (var count = reader.ReadArrayHeader(); count > 0; count--)
            {
                var bytes = reader.ReadBytes()!.Value;
                Assert.True(bytes.IsSingleSegment && bytes.FirstSpan.IndexOfAnyExcept(bytes.FirstSpan[0]) < 0, "a message came apart");
                received.Enqueue(bytes.FirstSpan[0]);
            }
            Thread.Sleep(5); // a slow peer: the sender gets ahead and the batch fills
            return Task.CompletedTask;
        }, new NothingToRead());

        for (var i = 0; i < 12; i++)
        {
            connection.Send(Blob((byte)i, 1 << 20)); // 12 MiB in all, 4 MiB per gRPC message at most
        }
        WaitFor(() => received.Count >= 12);

        Assert.Equal(Enumerable.Range(0, 12).Select(i => (byte)i), received);
        Assert.All(sizes, size => Assert.True(size <= PeerConnection.MaxBatchBytes + 16, $"a gRPC message of {size} bytes"));
        Assert.True(sizes.Count >= 3, $"12 MiB went in {sizes.Count} gRPC messages");
    }

    [Fact]
    public void Sending_one_message_at_a_time_allocates_nothing_once_warm()
    {
        var written = 0;
        var connection = new PeerConnection("a test peer", (batch, _) =>
        {
            Interlocked.Add(ref written, new MessagePackReader(batch.Bytes).ReadArrayHeader());
            return Task.CompletedTask;
        }, new NothingToRead());
        var message = Message(123_456);
        SendApart(connection, message, 0, 100, ref written); // warm

        const int n = 10_000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        SendApart(connection, message, 100, n, ref written);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(100 + n, Volatile.Read(ref written));
        // An array per message, or one per gRPC message, is tens of bytes per message. (A second batch may be made
        // once, ~4 KiB, if a send lands in a write's busy window.)
        Assert.True(allocated < n, $"{allocated} bytes allocated sending {n} messages");
    }

    [Fact]
    public void A_written_batch_is_kept_for_reuse_while_another_waits_to_be_reused()
    {
        // Without xunit's context a completed write's continuation runs at once, on the thread completing it: the
        // steps below happen in the order written.
        var context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            // Writes that complete when the test says, as gRPC's do when the stream is full.
            var writes = new Queue<TaskCompletionSource>();
            var connection = new PeerConnection("a test peer", (_, _) =>
            {
                var write = new TaskCompletionSource();
                writes.Enqueue(write);
                return write.Task;
            }, new NothingToRead());
            var message = Message(1);

            connection.Send(message); // batch A goes out on this thread; its write is pending
            connection.Send(message); // batch B opens behind it
            writes.Dequeue().SetResult(); // A is written and kept; B goes out
            writes.Dequeue().SetResult(); // B is written while A still waits: both must be kept
            Assert.Empty(writes);
            Spin(TimeSpan.FromMicroseconds(50)); // past the busy window: the next message goes out at once, on this thread

            connection.Send(message); // one kept batch goes out; its write is pending
            var before = GC.GetAllocatedBytesForCurrentThread();
            connection.Send(message); // the other kept batch opens
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.True(allocated < 1024, $"opening a batch allocated {allocated} bytes: a written batch was not kept");
            writes.Dequeue().SetResult();
            Assert.Single(writes); // the last message went out when the write before it completed
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }

    // Each message once the one before it is written and the busy window has passed, so each goes out alone, at once.
    // (Timed with timestamps: a Stopwatch object per message would be what the test measures.)
    private static void SendApart(PeerConnection connection, byte[] message, int sent, int count, ref int written)
    {
        for (var i = 1; i <= count; i++)
        {
            connection.Send(message);
            var start = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref written) < sent + i && Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(10))
            {
                Thread.SpinWait(10);
            }
            Spin(TimeSpan.FromMicroseconds(30));
        }
    }

    // Busy for a while, as a write's framing and syscall are (timestamps: no object per call).
    private static void Spin(TimeSpan time)
    {
        var start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < time)
        {
            Thread.SpinWait(10);
        }
    }

    // Until a pool thread has written what the test sent; the assertions after it say what is missing, if anything.
    private static void WaitFor(Func<bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (!done() && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            Thread.Sleep(1);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    public void A_batch_is_a_MessagePack_array_of_its_messages(int count)
    {
        var batch = MessageBatch.Outgoing();
        for (var i = 0; i < count; i++)
        {
            batch.Append(Message(i));
        }
        batch.Seal();

        var reader = new MessagePackReader(batch.Bytes);
        Assert.Equal(count, reader.ReadArrayHeader());
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(i, reader.ReadInt32());
        }
        Assert.True(reader.End);
    }

    private static byte[] Blob(byte fill, int length)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.Write(Enumerable.Repeat(fill, length).ToArray());
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private sealed class NothingToRead : IAsyncStreamReader<MessageBatch>
    {
        public MessageBatch Current => throw new InvalidOperationException("Nothing was read.");

        public Task<bool> MoveNext(CancellationToken cancellationToken) => Task.FromResult(false);
    }
}
