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
/// One long-lived gRPC duplex stream to a peer, used both ways. Senders append their encoded messages to the open
/// <see cref="MessageBatch"/> (under a lock held only for the copy); one writer at a time sends batches in order, each
/// one gRPC message of up to <see cref="MaxBatchBytes"/>. A message that finds the stream quiet goes out at once on
/// the sender's own thread (no thread to wake: one round trip at a time pays nothing for batching). A message that
/// follows a write within <see cref="BusyWindow"/> is part of a burst: the write is left to a pool thread, and what
/// the sender appends meanwhile goes in the same gRPC message, so a burst of thousands of submissions costs a handful
/// of writes, not one each (every gRPC message costs microseconds of framing and a syscall on both sides). Written
/// batches are kept and reused, so a busy stream allocates nothing per message or per batch. One reader loop decodes
/// batches and hands each message to the handler in order, which keeps one caller's calls in order end to end.
/// </summary>
internal sealed class PeerConnection : IThreadPoolWorkItem
{
    /// <summary>Messages closer than this to the last write are a burst (submissions in a loop are 1–3 µs apart).</summary>
    private static readonly long BusyWindow = Stopwatch.Frequency / 50_000; // 20 µs

    public const int MaxBatchBytes = 4 << 20;
    public const int MaxMessageBytes = 64 << 20;

    private readonly Lock _gate = new();
    private readonly Queue<MessageBatch> _full = new(); // batches that reached MaxBatchBytes, oldest first
    private MessageBatch? _open; // the batch senders append to
    // Empty batches to open next. Two: the one just written comes back while the one written before it may still
    // wait here (the sender sent nothing meanwhile); with room for one, every such write made a new batch.
    private readonly Stack<MessageBatch> _spare = new(2);
    private readonly Func<MessageBatch, CancellationToken, Task> _write;
    private readonly IAsyncStreamReader<MessageBatch> _read;
    private readonly CancellationTokenSource _closed = new();
    private IPeerHandler? _handler;
    private int _done;
    private bool _writing; // under _gate: a writer is on its way to the open batch
    private long _lastWrite; // Stopwatch timestamp at the end of the last write

    public PeerConnection(string name, Func<MessageBatch, CancellationToken, Task> write, IAsyncStreamReader<MessageBatch> read)
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

    /// <summary>Sends one encoded message (copied: the bytes may be reused when this returns).</summary>
    public void Send(ReadOnlySpan<byte> message)
    {
        if (IsClosed)
        {
            return; // the handler already failed whatever this message was about
        }
        lock (_gate)
        {
            var open = _open ??= TakeSpare();
            if (open.Count > 0 && open.Size + message.Length > MaxBatchBytes)
            {
                _full.Enqueue(open);
                open = _open = TakeSpare();
            }
            open.Append(message);
            if (_writing)
            {
                return; // the writer takes this message with the rest
            }
            _writing = true;
        }
        if (Stopwatch.GetTimestamp() - Volatile.Read(ref _lastWrite) < BusyWindow)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
        else
        {
            WritePending();
        }
    }

    void IThreadPoolWorkItem.Execute() => WritePending();

    public void Close(Exception? error = null)
    {
        if (Interlocked.Exchange(ref _done, 1) != 0)
        {
            return;
        }
        _closed.Cancel();
        _handler?.OnClosed(this, error);
    }

    private MessageBatch TakeSpare() => _spare.TryPop(out var spare) ? spare : MessageBatch.Outgoing();

    // Writes batches until none is left, on its caller's thread while writes complete at once (gRPC's do when the
    // stream has room); a write still in flight is awaited, and the rest written where it completes.
    private void WritePending()
    {
        while (Next() is { } batch)
        {
            Task write;
            try
            {
                write = _write(batch, _closed.Token);
            }
            catch (Exception error)
            {
                Failed(error);
                return;
            }
            if (!write.IsCompletedSuccessfully)
            {
                _ = WriteRestAfter(write, batch);
                return;
            }
            Written(batch);
        }
    }

    private async Task WriteRestAfter(Task write, MessageBatch batch)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        catch (Exception error)
        {
            Failed(error);
            return;
        }
        Written(batch);
        WritePending();
    }

    // The next batch to write, oldest first; none ends the writer, under the lock Send appends under, so a message
    // appended after this look starts the next writer.
    private MessageBatch? Next()
    {
        lock (_gate)
        {
            if (!_full.TryDequeue(out var batch))
            {
                batch = _open;
                _open = null;
            }
            if (batch is null)
            {
                _writing = false;
                return null;
            }
            batch.Seal();
            return batch;
        }
    }

    private void Written(MessageBatch batch)
    {
        Volatile.Write(ref _lastWrite, Stopwatch.GetTimestamp());
        batch.Reset();
        if (batch.Capacity <= 2 * MaxBatchBytes) // one that held a huge message is not kept
        {
            lock (_gate)
            {
                if (_spare.Count < 2)
                {
                    _spare.Push(batch);
                }
            }
        }
    }

    private void Failed(Exception error)
    {
        if (error is not OperationCanceledException)
        {
            Close(new RayException($"Sending to {Name} failed: {error.Message}", error));
        }
    }

    private async Task ReadLoop()
    {
        Exception? failure = null;
        try
        {
            while (await _read.MoveNext(_closed.Token).ConfigureAwait(false))
            {
                Dispatch(_read.Current.Bytes);
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

    private void Dispatch(ReadOnlyMemory<byte> batch)
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
