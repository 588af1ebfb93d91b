using System.Diagnostics;
using Grpc.Core;
using MessagePack;

namespace GenRay.Cluster;

/// <summary>Receives the messages of a <see cref="PeerConnection"/>, on its reader loop: handlers must not block.</summary>
internal interface IPeerHandler
{
    void OnMessage(PeerConnection peer, MessageKind kind, ref MessagePackReader reader);

    void OnClosed(PeerConnection peer, Exception? error);
}

/// <summary>
/// One long-lived gRPC duplex stream to a peer, used both ways. Outgoing messages queue; one writer at a time
/// drains everything queued into a single gRPC message (up to <see cref="MaxBatchBytes"/>). A message that finds
/// the stream quiet goes out at once on the sender's own thread (no thread to wake: one round trip at a time pays
/// nothing for batching). A message that follows a write within <see cref="BusyWindow"/> is part of a burst: the
/// write is left to a pool thread, and what the sender queues meanwhile goes in the same gRPC message, so a burst
/// of thousands of submissions costs a handful of writes, not one each (every gRPC message costs microseconds of
/// framing and a syscall on both sides). One reader loop decodes batches and hands each message to the handler in
/// order, which keeps one caller's calls in order end to end.
/// </summary>
internal sealed class PeerConnection : IThreadPoolWorkItem
{
    /// <summary>Messages closer than this to the last write are a burst (submissions in a loop are 1–3 µs apart).</summary>
    private static readonly long BusyWindow = Stopwatch.Frequency / 50_000; // 20 µs

    public const int MaxBatchBytes = 4 << 20;
    public const int MaxMessageBytes = 64 << 20;

    private readonly System.Collections.Concurrent.ConcurrentQueue<byte[]> _outbox = new();
    private readonly Func<byte[], CancellationToken, Task> _write;
    private readonly IAsyncStreamReader<byte[]> _read;
    private readonly CancellationTokenSource _closed = new();
    private IPeerHandler? _handler;
    private int _done;
    private int _writing;
    private long _lastWrite; // Stopwatch timestamp at the end of the last write

    public PeerConnection(string name, Func<byte[], CancellationToken, Task> write, IAsyncStreamReader<byte[]> read)
    {
        Name = name;
        _write = write;
        _read = read;
    }

    public string Name { get; }

    public bool IsClosed => Volatile.Read(ref _done) != 0;

    /// <summary>Starts the loops; completes when the connection closes.</summary>
    public Task RunAsync(IPeerHandler handler)
    {
        _handler = handler;
        return Task.Run(ReadLoop);
    }

    public void Send(byte[] message)
    {
        if (IsClosed)
        {
            return; // the handler already failed whatever this message was about
        }
        _outbox.Enqueue(message);
        if (Interlocked.CompareExchange(ref _writing, 1, 0) == 0)
        {
            if (Stopwatch.GetTimestamp() - Volatile.Read(ref _lastWrite) < BusyWindow)
            {
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
            else
            {
                _ = WritePending();
            }
        }
    }

    void IThreadPoolWorkItem.Execute() => _ = WritePending();

    public void Close(Exception? error = null)
    {
        if (Interlocked.Exchange(ref _done, 1) != 0)
        {
            return;
        }
        _closed.Cancel();
        _handler?.OnClosed(this, error);
    }

    // Runs synchronously on its caller's thread up to the first write that does not complete at once.
    private async Task WritePending()
    {
        var batch = new List<byte[]>();
        try
        {
            while (true)
            {
                var size = 0;
                while (size < MaxBatchBytes && _outbox.TryDequeue(out var message))
                {
                    batch.Add(message);
                    size += message.Length;
                }
                if (batch.Count == 0)
                {
                    Interlocked.Exchange(ref _writing, 0); // a full fence: the look below must follow this store
                    // A message queued after the drain but before the flag cleared would be stranded: look again.
                    if (_outbox.IsEmpty || Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
                    {
                        return;
                    }
                    continue;
                }
                await _write(Encode(batch, size), _closed.Token).ConfigureAwait(false);
                Volatile.Write(ref _lastWrite, Stopwatch.GetTimestamp());
                batch.Clear();
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception error)
        {
            Close(new RayException($"Sending to {Name} failed: {error.Message}", error));
        }
    }

    // A batch is a MessagePack array of the queued messages, each already encoded: write the header, then copy.
    private static byte[] Encode(List<byte[]> batch, int size)
    {
        Span<byte> header = stackalloc byte[5];
        var headerLength = ArrayHeader(batch.Count, header);
        var bytes = new byte[headerLength + size];
        header[..headerLength].CopyTo(bytes);
        var offset = headerLength;
        foreach (var message in batch)
        {
            message.CopyTo(bytes, offset);
            offset += message.Length;
        }
        return bytes;
    }

    private static int ArrayHeader(int count, Span<byte> header)
    {
        if (count <= 15)
        {
            header[0] = (byte)(0x90 | count);
            return 1;
        }
        if (count <= ushort.MaxValue)
        {
            header[0] = 0xdc;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(header[1..], (ushort)count);
            return 3;
        }
        header[0] = 0xdd;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)count);
        return 5;
    }

    private async Task ReadLoop()
    {
        Exception? failure = null;
        try
        {
            while (await _read.MoveNext(_closed.Token).ConfigureAwait(false))
            {
                Dispatch(_read.Current);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception error)
        {
            failure = error is RayException ? error : new RayException($"The connection to {Name} broke: {error.Message}", error);
        }
        Close(failure);
    }

    private void Dispatch(byte[] batch)
    {
        var reader = new MessagePackReader(batch);
        int count;
        try
        {
            count = reader.ReadArrayHeader();
        }
        catch (Exception error) when (error is MessagePackSerializationException or EndOfStreamException)
        {
            throw Malformed(error);
        }
        for (var i = 0; i < count; i++)
        {
            MessageKind kind;
            try
            {
                if (reader.ReadArrayHeader() < 1)
                {
                    throw new MessagePackSerializationException("An empty message.");
                }
                kind = (MessageKind)reader.ReadByte();
            }
            catch (Exception error) when (error is MessagePackSerializationException or EndOfStreamException)
            {
                throw Malformed(error);
            }
            try
            {
                _handler!.OnMessage(this, kind, ref reader);
            }
            catch (Exception error) when (error is MessagePackSerializationException or EndOfStreamException or InvalidCastException or OverflowException)
            {
                throw Malformed(error);
            }
        }
    }

    private RayException Malformed(Exception error) =>
        new($"{Name} sent a malformed frame ({error.Message}); the connection was closed. Are both processes running the same GenRay?", error);
}
