using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using Grpc.Core;

namespace GenRay.Cluster;

/// <summary>
/// Reads the batches of a <see cref="LocalSocket"/> connection (frames of a four-byte little-endian length and the
/// batch) on the connection's own reader thread, synchronously: <see cref="MoveNext"/> returns a completed task, so
/// the read loop never leaves its thread. Before it sleeps in the kernel, it polls the socket for
/// <see cref="PollTicks"/>, yielding its CPU between looks: on this kind of machine (a VM of two vCPUs) waking a
/// thread costs 20–40 µs, and a lone call's answer comes back sooner than that (a Unix-socket ping-pong between two
/// processes took 42–50 µs with blocking reads and 4.4–5 µs with polling ones). The socket is non-blocking and never
/// used asynchronously: .NET's asynchronous sockets register with its epoll thread, which then wakes for every
/// frame, read or not (two thread wake-ups a message, seen in perf).
/// </summary>
internal sealed class FrameReader : IAsyncStreamReader<MessageBatch>
{
    /// <summary>How long a reader polls before sleeping: more than a lone task's round trip, short against a tick.</summary>
    private static readonly long PollTicks = Stopwatch.Frequency / 20_000; // 50 µs

    private const int InitialBuffer = 64 << 10;

    private static readonly Task<bool> s_more = Task.FromResult(true);
    private static readonly Task<bool> s_ended = Task.FromResult(false);

    // Who reads the socket: the connection's reader thread, a caller reading its own answer (see TryTakeOver), or
    // nobody while the reader thread sleeps in poll() (it takes the socket back when it wakes).
    private const int Nobody = 0;
    private const int ReaderThread = 1;
    private const int Caller = 2;

    private readonly Socket _socket;
    private readonly string _peer;
    private int _holder = ReaderThread;
    private int _callersWaiting; // callers that want to take the socket over
    private readonly ManualResetEventSlim _wakeReader = new(false, spinCount: 1); // see SleepUntilReadable
    private byte[] _buffer = new byte[InitialBuffer];
    private int _start; // the first unread byte
    private int _end; // past the last received byte

    public FrameReader(Socket socket, string peer)
    {
        _socket = socket;
        _peer = peer;
    }

    public MessageBatch Current { get; private set; } = null!;

    public Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        var pollUntil = Stopwatch.GetTimestamp() + PollTicks;
        while (!TryTake())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Volatile.Read(ref _callersWaiting) != 0)
            {
                SleepUntilReadable(); // a caller reads meanwhile
                pollUntil = Stopwatch.GetTimestamp() + PollTicks;
                continue;
            }
            if (ReceiveOnce(out var ended))
            {
                pollUntil = Stopwatch.GetTimestamp() + PollTicks; // a frame in pieces: the rest follows
                continue;
            }
            if (ended)
            {
                return s_ended;
            }
            if (Stopwatch.GetTimestamp() < pollUntil)
            {
                Thread.Yield(); // a thread this one keeps from its CPU runs first
            }
            else
            {
                SleepUntilReadable();
                pollUntil = Stopwatch.GetTimestamp() + PollTicks;
            }
        }
        return s_more;
    }

    // The reader thread sleeps in poll() until the socket has something (closing the connection shuts the socket
    // down, which ends it too), then takes the socket back. If a caller reads it meanwhile (TryTakeOver), the reader
    // thread sleeps a millisecond at a time instead: woken by every frame that a caller reads one call at a time, it
    // took a CPU from the two threads doing the work (actor calls one at a time, workers:2: 84-87 k/s; 117-121 k/s
    // sleeping). A caller that stops reading before its answer came wakes it (it is going to sleep itself); else
    // what no caller reads (an answer another thread awaits) waits up to about a millisecond after a caller last
    // read: the price of the lone call's wire, as a stall-watch tick is.
    private void SleepUntilReadable()
    {
        Volatile.Write(ref _holder, Nobody);
        while (true)
        {
            _socket.Poll(-1, SelectMode.SelectRead);
            if (Interlocked.CompareExchange(ref _holder, ReaderThread, Nobody) == Nobody)
            {
                return;
            }
            _wakeReader.Wait(1);
            _wakeReader.Reset();
        }
    }

    /// <summary>
    /// Lets a caller that waits for <paramref name="target"/> read the socket itself, taking it from the reader
    /// thread (which sleeps until the caller gives it back, <see cref="GiveBack"/>); false when the target completed
    /// or <paramref name="deadline"/> passed first. See <see cref="PeerConnection.TryReadFor"/>.
    /// </summary>
    public bool TryTakeOver(ObjectRef target, long deadline)
    {
        Interlocked.Increment(ref _callersWaiting);
        try
        {
            while (Interlocked.CompareExchange(ref _holder, Caller, Nobody) != Nobody)
            {
                if (target.IsCompleted || Stopwatch.GetTimestamp() >= deadline)
                {
                    return false;
                }
                Thread.Yield(); // the reader thread lets go within one look at the socket
            }
            return true;
        }
        finally
        {
            Interlocked.Decrement(ref _callersWaiting);
        }
    }

    /// <summary>
    /// For a caller that took the socket over: the next whole frame, from what is buffered or from one look at the
    /// socket (without waiting); null if none is whole yet. <paramref name="ended"/>: the peer closed the stream.
    /// </summary>
    public MessageBatch? ReadNow(out bool ended)
    {
        ended = false;
        return TryTake() || (ReceiveOnce(out ended) && TryTake()) ? Current : null;
    }

    /// <summary>For a caller that took the socket over: the next whole frame already buffered, or null.</summary>
    public MessageBatch? ReadBuffered() => TryTake() ? Current : null;

    /// <summary>
    /// A caller is done reading: the reader thread reads again once the socket has something. With
    /// <paramref name="wakeReader"/> (the caller's answer did not come, or the stream ended) at once.
    /// </summary>
    public void GiveBack(bool wakeReader)
    {
        Volatile.Write(ref _holder, Nobody);
        if (wakeReader)
        {
            _wakeReader.Set();
        }
    }

    // One receive, without waiting: true if bytes came; false if none were there or, with ended, at the end of the
    // stream.
    private bool ReceiveOnce(out bool ended)
    {
        ended = false;
        var room = Room(); // first: it may move the buffered bytes to a larger buffer
        var count = _socket.Receive(_buffer.AsSpan(room), SocketFlags.None, out var error);
        if (error == SocketError.WouldBlock)
        {
            return false;
        }
        if (error != SocketError.Success)
        {
            throw new SocketException((int)error);
        }
        ended = !Received(count);
        return !ended;
    }

    // Counts received bytes; false at the end of the stream (the peer closed it between frames).
    private bool Received(int count)
    {
        if (count > 0)
        {
            _end += count;
            return true;
        }
        if (_end > _start)
        {
            throw new RayException($"The connection to {_peer} closed in the middle of a frame ({_end - _start} bytes of it received).");
        }
        return false;
    }

    // Takes the next whole frame off the buffer, if one is there.
    private bool TryTake()
    {
        var buffered = _end - _start;
        if (buffered < sizeof(int))
        {
            return false;
        }
        var length = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_start));
        if (length < 1 || length > PeerConnection.MaxMessageBytes)
        {
            throw new RayException(
                $"{_peer} sent a frame of {length} bytes (at most {PeerConnection.MaxMessageBytes} are allowed); the connection was closed. " +
                "Are both processes running the same GenRay?");
        }
        if (buffered < sizeof(int) + length)
        {
            return false;
        }
        // A batch of its own, as gRPC hands one over: handlers may keep slices of it (a task's arguments).
        Current = new MessageBatch(_buffer.AsSpan(_start + sizeof(int), length).ToArray());
        _start += sizeof(int) + length;
        if (_start == _end)
        {
            _start = _end = 0;
            if (_buffer.Length > InitialBuffer * 16)
            {
                _buffer = new byte[InitialBuffer]; // one that grew for a huge frame is not kept
            }
        }
        return true;
    }

    // Where the next receive writes: after what is buffered, with room for the whole frame being read.
    private Range Room()
    {
        var buffered = _end - _start;
        var needed = buffered >= sizeof(int) ? sizeof(int) + BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_start)) : sizeof(int);
        if (_buffer.Length - _start < needed || _end == _buffer.Length)
        {
            var target = needed > _buffer.Length ? new byte[Math.Max(needed, _buffer.Length * 2)] : _buffer;
            Buffer.BlockCopy(_buffer, _start, target, 0, buffered);
            _buffer = target;
            _start = 0;
            _end = buffered;
        }
        return _end.._buffer.Length;
    }
}
