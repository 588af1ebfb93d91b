using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace GenRay.Cluster;

/// <summary>
/// The control streams between a driver and the workers it started on this machine, and between those workers: a
/// Unix domain socket carrying the same batches as the gRPC stream, each framed by its length (as Ray's raylet
/// talks to its workers). gRPC's HTTP/2 layers cost a lone round trip 50–55 µs here against 5 µs for a socket
/// read by a polling reader (<see cref="FrameReader"/>). Everything else (fetches, leases on values, a cluster's
/// streams) stays on gRPC. The socket's name is derived from the process's gRPC address (an abstract name, so no
/// file is left behind), so whoever knows where a worker serves knows where its socket is. Linux only; elsewhere
/// and on a cluster the control streams stay on gRPC.
/// </summary>
internal static class LocalSocket
{
    // What an opener sends first: this, then the length of its own address (an int, little-endian) and the address
    // (UTF-8; none when the driver opens it).
    private static ReadOnlySpan<byte> Magic => "GRY1"u8;

    private const int MaxAddressBytes = 1024;

    public static bool Supported => OperatingSystem.IsLinux();

    private static UnixDomainSocketEndPoint EndPoint(string address) => new("\0genray/" + address);

    /// <summary>Listens for control streams to the process serving gRPC at <paramref name="address"/>.</summary>
    public static Socket Listen(string address)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(EndPoint(address));
            listener.Listen(64);
            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a control stream to the process serving gRPC at <paramref name="address"/> on this machine, saying who
    /// opens it (<paramref name="from"/>: the opener's address; null for its driver). Null when no such socket
    /// listens, or it went before the preamble was sent (the process is not a local worker, or is gone): use gRPC
    /// then, which fails the way a gone process does.
    /// </summary>
    public static Socket? TryConnect(string address, string? from)
    {
        var name = Encoding.UTF8.GetBytes(from ?? "");
        var preamble = new byte[Magic.Length + sizeof(int) + name.Length];
        Magic.CopyTo(preamble);
        BinaryPrimitives.WriteInt32LittleEndian(preamble.AsSpan(Magic.Length), name.Length);
        name.CopyTo(preamble, Magic.Length + sizeof(int));
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(EndPoint(address));
            socket.Send(preamble);
            return socket;
        }
        catch (SocketException)
        {
            socket.Dispose(); // a throw here would reach a peer link's opener, whose Lazy would keep it for good
            return null;
        }
    }

    /// <summary>
    /// Reads an accepted socket's preamble: the opener's address, empty for the driver. Throws a
    /// <see cref="RayException"/> when the opener is not a GenRay process or says nothing within <paramref name="timeout"/>.
    /// </summary>
    public static string ReadOpener(Socket socket, TimeSpan timeout)
    {
        socket.ReceiveTimeout = (int)timeout.TotalMilliseconds; // the opener sends it at once
        var head = new byte[Magic.Length + sizeof(int)];
        ReadExactly(socket, head);
        var length = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(Magic.Length));
        if (!head.AsSpan(0, Magic.Length).SequenceEqual(Magic) || length < 0 || length > MaxAddressBytes)
        {
            throw new RayException("A process that is not a GenRay worker or driver of this version opened this worker's control socket; it was closed.");
        }
        var name = new byte[length];
        ReadExactly(socket, name);
        socket.ReceiveTimeout = 0;
        return Encoding.UTF8.GetString(name);
    }

    private static void ReadExactly(Socket socket, Span<byte> into)
    {
        while (into.Length > 0)
        {
            var count = socket.Receive(into);
            if (count == 0)
            {
                throw new RayException("A process opened this worker's control socket and closed it before saying who it is.");
            }
            into = into[count..];
        }
    }

    /// <summary>
    /// A control stream over <paramref name="socket"/>, read on a thread of its own (<see cref="FrameReader"/>); the
    /// connection shuts the socket down when it closes. The socket is never used asynchronously (see FrameReader).
    /// </summary>
    public static PeerConnection Open(Socket socket, string name)
    {
        socket.Blocking = false;
        return new(name, (batch, token) => Write(socket, batch, token), new FrameReader(socket, name)) { Transport = new Owned(socket), ReadsOnOwnThread = true };
    }

    // One frame per batch, sent on the caller's thread while the socket has room (nearly always). A frame the socket
    // cannot take whole is finished on a pool thread: a reader's thread sending must never wait for its peer, whose
    // reader may be sending to it at the same moment.
    private static Task Write(Socket socket, MessageBatch batch, CancellationToken token)
    {
        var frame = batch.Framed();
        var sent = SendSome(socket, frame.Span);
        return sent == frame.Length ? Task.CompletedTask : Task.Run(() => SendRest(socket, frame[sent..], token), token);
    }

    // Sends what the socket takes without waiting.
    private static int SendSome(Socket socket, ReadOnlySpan<byte> bytes)
    {
        var sent = 0;
        while (sent < bytes.Length)
        {
            var count = socket.Send(bytes[sent..], SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                break;
            }
            if (error != SocketError.Success)
            {
                throw new SocketException((int)error);
            }
            sent += count;
        }
        return sent;
    }

    private static void SendRest(Socket socket, ReadOnlyMemory<byte> rest, CancellationToken token)
    {
        while (rest.Length > 0)
        {
            token.ThrowIfCancellationRequested();
            socket.Poll(100_000, SelectMode.SelectWrite); // 100 ms at a time, to see the connection close
            rest = rest[SendSome(socket, rest.Span)..];
        }
    }

    // Closing a connection shuts its socket down first: that ends a reader waiting in poll, and the peer reads the end.
    private sealed class Owned(Socket socket) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                // Already gone.
            }
            socket.Dispose();
        }
    }
}
