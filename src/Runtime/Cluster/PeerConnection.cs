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
/// One long-lived gRPC duplex stream (or <see cref="LocalSocket"/>) to a peer, used both ways. Senders append their encoded messages to the open
/// <see cref="MessageBatch"/> (under a lock held only for the copy); one writer at a time sends batches in order, each
/// one gRPC message of up to <see cref="MaxBatchBytes"/>. A message that finds the stream quiet goes out at once on
/// the sender's own thread (no thread to wake: one round trip at a time pays nothing for batching). A message that
/// follows a write within <see cref="BusyWindow"/>, with nothing read from the peer in between, is part of a burst
/// (an answer read in between makes it the next step of a round trip, which a thread hop would only slow: over a
/// <see cref="LocalSocket"/> a lone round trip took 25 µs with the hop and 14 µs without): the write is left to a pool thread, and what
/// the sender appends meanwhile goes in the same gRPC message, so a burst of thousands of submissions costs a handful
/// of writes, not one each (every gRPC message costs microseconds of framing and a syscall on both sides). Written
/// batches are kept and reused, so a busy stream allocates nothing per message or per batch. One reader loop decodes
/// batches and hands each message to the handler in order, which keeps one caller's calls in order end to end.
/// The handler may ask to run a short piece of work on the reader's own thread once a batch is read (see
/// <see cref="TryLendReader"/>): a lone task then costs no thread wake-up.
/// </summary>
internal sealed class PeerConnection : IThreadPoolWorkItem, Scheduling.IStallWatched
{
    /// <summary>Messages closer than this to the last write are a burst (submissions in a loop are 1–3 µs apart).</summary>
    private static readonly long BusyWindow = Stopwatch.Frequency / 50_000; // 20 µs

    /// <summary>How long the stall watch keeps looking at a reader after its last loan (sleeping when none is left).</summary>
    private static readonly long Linger = Stopwatch.Frequency / 10; // 100 ms

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
    private bool _readSinceWrite; // a batch came from the peer since the last write began
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Lending the reader's thread: the work asked for during the batch, and the loan in progress (0: none; otherwise
    // its number, so a late hand-off cannot take a later loan).
    private IThreadPoolWorkItem? _afterBatch;
    private long _loans;
    private long _lentTo;
    private long _lentAt; // when the last loan started (a Stopwatch timestamp)
    private int _watched; // 1 while the stall watch looks at this connection (CheckStall)

    /// <summary>Threads whose reader loop was handed off while they ran lent work, still running it (at most one: see <see cref="TryLendReader"/>).</summary>
    private static int s_stranded;

    [ThreadStatic]
    private static PeerConnection? t_reading; // set while the handler is given a lending connection's batch's last message

    [ThreadStatic]
    private static PeerConnection? t_lent;

    [ThreadStatic]
    private static long t_loan;

    [ThreadStatic]
    private static PeerConnection? t_sentOn; // the last connection whose callers read (CallersRead) this thread sent on

    [ThreadStatic]
    private static int t_sends; // messages this thread sent on such connections since it last waited

    /// <summary>
    /// How long a caller reads for its answer itself (<see cref="TryReadFor"/>). Past it the caller sleeps, and the
    /// reader thread must wake for the answer and then wake the caller: two wake-ups, 20-40 µs each on this kind of
    /// machine, so a late answer cost ten times a lone round trip. At 50 µs (as long as a reader thread polls) one
    /// call in 100-300 ran out of it (actor calls one at a time, workers:2, 300,000 calls: 914-4,858 timed out), and
    /// those calls were most of the time past 50 µs; at 150-300 µs, 60-713 did. The caller yields its CPU between looks.
    /// </summary>
    private static readonly long ReadForTicks = Stopwatch.Frequency / 5_000; // 200 µs

    public PeerConnection(string name, Func<MessageBatch, CancellationToken, Task> write, IAsyncStreamReader<MessageBatch> read)
    {
        Name = name;
        _write = write;
        _read = read;
    }

    public string Name { get; }

    public bool IsClosed => Volatile.Read(ref _done) != 0;

    /// <summary>Whether work its messages start may run on its reader's thread (<see cref="TryLendReader"/>): a worker's connection to its driver.</summary>
    public bool LendsReader { get; set; }

    /// <summary>What carries the stream when it is not a gRPC call (a <see cref="LocalSocket"/>): closed with the connection.</summary>
    public IDisposable? Transport { get; init; }

    /// <summary>
    /// Whether the read loop runs on a thread of its own (a <see cref="LocalSocket"/>'s, whose reads wait in the
    /// kernel) rather than on the pool (a gRPC stream's, whose reads are awaited).
    /// </summary>
    public bool ReadsOnOwnThread { get; init; }

    /// <summary>
    /// Whether a caller that waits for an answer may read it off the connection itself (<see cref="TryReadFor"/>):
    /// a driver's connection to a worker it started (a <see cref="LocalSocket"/>'s).
    /// </summary>
    public bool CallersRead { get; set; }

    /// <summary>Starts the loops; completes when the connection closes.</summary>
    public Task RunAsync(IPeerHandler handler)
    {
        _handler = handler;
        StartReading();
        return _ended.Task;
    }

    private void StartReading()
    {
        if (ReadsOnOwnThread)
        {
            new Thread(static connection => _ = ((PeerConnection)connection!).ReadLoop()) { IsBackground = true, Name = "GenRay reader" }.Start(this);
        }
        else
        {
            _ = Task.Run(ReadLoop);
        }
    }

    /// <summary>
    /// Asks, from code the handler of a batch's last message runs, to run <paramref name="work"/> on this reader's
    /// thread once the batch is handled, before the next read: it saves handing the work to a thread that must be
    /// woken (tens of microseconds here), which is most of what a lone remote call costs beyond the network. False
    /// off a reader, on a connection that does not lend (<see cref="LendsReader"/>), for a message that is not the
    /// last of its batch (the work would hold up the rest), or while a reader thread lent earlier has not come
    /// back: run the work elsewhere then. Work that runs long or blocks does not hold the reader up: the read loop
    /// moves to another thread when the work waits for an object (<see cref="ReaderBlocking"/>) or after
    /// about a <see cref="Scheduling.StallWatch.Tick"/> (<see cref="Scheduling.IStallWatched.CheckStall"/>), and the work finishes where it is.
    /// </summary>
    public static bool TryLendReader(IThreadPoolWorkItem work)
    {
        if (t_reading is not { _afterBatch: null } reader || Volatile.Read(ref s_stranded) != 0)
        {
            return false;
        }
        reader._afterBatch = work;
        return true;
    }

    /// <summary>
    /// This thread is about to block: if it runs work lent a reader's thread, the read loop moves to another thread
    /// first, since what the work waits for may come through that very reader.
    /// </summary>
    public static void ReaderBlocking() => t_lent?.HandOff(t_loan);

    /// <summary>
    /// Hands the read loop on when lent work has held it longer than a tick, so the connection's other messages
    /// (another lease's task, a cancel, an actor call) wait at most about that long behind a task that turned out
    /// long. Stops being watched after <see cref="Linger"/> without a loan.
    /// </summary>
    bool Scheduling.IStallWatched.CheckStall(long now)
    {
        var loan = Volatile.Read(ref _lentTo);
        var since = Volatile.Read(ref _lentAt);
        if (loan != 0 && now - since > Scheduling.StallWatch.TickTicks)
        {
            HandOff(loan);
        }
        if (loan != 0 || now - since <= Linger)
        {
            return !IsClosed;
        }
        return Scheduling.StallWatch.StaysWhenIdle(ref _watched, this, static connection =>
            Volatile.Read(ref connection._lentTo) != 0 || Stopwatch.GetTimestamp() - Volatile.Read(ref connection._lentAt) <= Linger);
    }

    /// <summary>Moves the read loop to another thread if loan <paramref name="loan"/> still holds it.</summary>
    internal void HandOff(long loan)
    {
        if (loan == 0)
        {
            return;
        }
        Interlocked.Increment(ref s_stranded);
        if (Interlocked.CompareExchange(ref _lentTo, 0, loan) != loan)
        {
            Interlocked.Decrement(ref s_stranded); // the work came back first
            return;
        }
        StartReading();
    }

    // Runs lent work; true when this thread is still the reader afterwards (not handed off meanwhile).
    private bool RunLent(IThreadPoolWorkItem work)
    {
        var loan = ++_loans;
        Volatile.Write(ref _lentTo, loan);
        Interlocked.Exchange(ref _lentAt, Stopwatch.GetTimestamp()); // a full fence: ordered before the look at _watched
        Scheduling.StallWatch.WatchOnce(this, ref _watched);
        t_lent = this;
        t_loan = loan;
        try
        {
            work.Execute();
        }
        finally
        {
            t_lent = null;
        }
        if (Interlocked.CompareExchange(ref _lentTo, 0, loan) == loan)
        {
            return true;
        }
        Interlocked.Decrement(ref s_stranded);
        return false;
    }

    /// <summary>
    /// Called by a thread about to block until <paramref name="target"/> is ready: if the message it sent last went
    /// over a connection whose callers read (<see cref="CallersRead"/>), and it is the only one it sent since it last
    /// waited (one call at a time), it reads that connection itself for up to
    /// <see cref="ReadForTicks"/>, handling each batch as the reader thread would, and the reader thread sleeps
    /// meanwhile. A lone call's answer comes back within that time; waiting for the reader thread to hand it over
    /// instead kept three threads busy on two cores (the caller spinning, both processes' readers polling), and
    /// the answer waited for whichever was descheduled. True when the target is ready on return.
    /// </summary>
    public static bool TryReadFor(ObjectRef target)
    {
        // Only for one call at a time: a thread that sent a burst waits for many answers, which the reader thread
        // must go on reading (asleep for a caller, it lets them wait; no-op tasks 1000 at a time lost 10-20 %).
        var connection = t_sentOn;
        var sends = t_sends;
        t_sentOn = null;
        t_sends = 0;
        if (sends != 1 || connection is null || connection.IsClosed || connection._read is not FrameReader frames)
        {
            return false;
        }
        var deadline = Stopwatch.GetTimestamp() + ReadForTicks;
        if (!frames.TryTakeOver(target, deadline))
        {
            return target.IsCompleted;
        }
        Exception? failure = null;
        var ended = false;
        try
        {
            while (true)
            {
                if (frames.ReadNow(out ended) is { } batch)
                {
                    connection.DispatchRead(batch);
                    if (target.IsCompleted)
                    {
                        // What came with the answer is handled before the reader thread reads again: it only wakes
                        // for what the socket has, not for what is buffered.
                        while (frames.ReadBuffered() is { } buffered)
                        {
                            connection.DispatchRead(buffered);
                        }
                        break;
                    }
                    continue;
                }
                if (ended || target.IsCompleted || Stopwatch.GetTimestamp() >= deadline)
                {
                    break;
                }
                Thread.Yield();
            }
        }
        catch (Exception error)
        {
            failure = error is RayException ? error : new RayException($"The connection to {connection.Name} broke: {error.Message}", error);
        }
        finally
        {
            frames.GiveBack(wakeReader: ended || failure is not null || !target.IsCompleted);
        }
        if (failure is not null)
        {
            connection.Close(failure); // the reader thread then ends too
        }
        return target.IsCompleted;
    }

    /// <summary>Sends one encoded message (copied: the bytes may be reused when this returns).</summary>
    public void Send(ReadOnlySpan<byte> message)
    {
        if (IsClosed)
        {
            return; // the handler already failed whatever this message was about
        }
        if (CallersRead)
        {
            t_sentOn = this;
            t_sends++;
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
        if (Stopwatch.GetTimestamp() - Volatile.Read(ref _lastWrite) < BusyWindow && !Volatile.Read(ref _readSinceWrite))
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
        Transport?.Dispose(); // the peer reads the end of the stream, as when a gRPC call ends
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
            Volatile.Write(ref _readSinceWrite, false); // what is read from now on answers this write
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
                DispatchRead(_read.Current);
                if (_afterBatch is { } work)
                {
                    _afterBatch = null;
                    if (!RunLent(work))
                    {
                        return; // the loop goes on on another thread
                    }
                }
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
        _ended.TrySetResult();
    }

    private void DispatchRead(MessageBatch batch)
    {
        Volatile.Write(ref _readSinceWrite, true);
        Dispatch(batch.Bytes);
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
        try
        {
            DispatchAll(ref reader, count);
        }
        finally
        {
            t_reading = null;
        }
    }

    private void DispatchAll(ref MessagePackReader reader, int count)
    {
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
            if (LendsReader)
            {
                t_reading = i == count - 1 ? this : null;
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
