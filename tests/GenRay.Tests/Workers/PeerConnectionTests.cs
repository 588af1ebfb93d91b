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
        var reader = new MessagePackReader(batch);
        for (var count = reader.ReadArrayHeader(); count > 0; count--)
        {
            _received.Enqueue(reader.ReadInt32());
        }
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < costOfAWrite)
        {
            Thread.SpinWait(10);
        }
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
        var clock = Stopwatch.StartNew();
        while (_received.Count < n && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            Thread.Sleep(1); // the pool thread writing the rest
        }

        Assert.Equal(Enumerable.Range(0, n), _received);
        // Written on the sender's thread, each write would carry one message: 10,000 writes of 50 µs each.
        Assert.True(_writes <= n / 10, $"{n} messages took {_writes} writes");
    }

    private sealed class NothingToRead : IAsyncStreamReader<byte[]>
    {
        public byte[] Current => throw new InvalidOperationException("Nothing was read.");

        public Task<bool> MoveNext(CancellationToken cancellationToken) => Task.FromResult(false);
    }
}
