using System.Buffers.Binary;
using System.Net.Sockets;
using GenRay.Cluster;

namespace GenRay.Tests.Workers;

/// <summary>
/// The Unix-socket control stream of a driver and its local workers: frames arrive whole and in order however the
/// bytes are cut, a frame over the limit or a stream cut mid-frame is a clear error, and a stranger is refused at
/// the door. (Everything above it, the same as over gRPC, runs in every workers-mode test.)
/// </summary>
public sealed class LocalSocketTests : IDisposable
{
    private readonly string _address = $"test-{Guid.NewGuid():N}:1";
    private readonly Socket _listener;

    public LocalSocketTests() => _listener = LocalSocket.Listen(_address); // Linux, as everything here

    public void Dispose() => _listener.Dispose();

    // An opened pair: the opener's raw socket, and the accepted side after its preamble, as a worker reads it.
    private (Socket Opener, Socket Accepted, string OpenerName) Pair(string? from)
    {
        var opener = LocalSocket.TryConnect(_address, from) ?? throw new InvalidOperationException("No listener.");
        var accepted = _listener.Accept();
        var name = LocalSocket.ReadOpener(accepted, TimeSpan.FromSeconds(10));
        accepted.Blocking = false; // as LocalSocket.Open leaves it
        return (opener, accepted, name);
    }

    private static byte[] Frame(ReadOnlySpan<byte> payload)
    {
        var frame = new byte[sizeof(int) + payload.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, payload.Length);
        payload.CopyTo(frame.AsSpan(sizeof(int)));
        return frame;
    }

    [Fact]
    public async Task Frames_cut_anywhere_arrive_whole_and_in_order()
    {
        var (opener, accepted, name) = Pair(from: "127.0.0.1:4242");
        Assert.Equal("127.0.0.1:4242", name);
        var random = new Random(7);
        // Sizes around the reader's first buffer (64 KiB) and the socket's own, and a 3 MiB one that needs a larger buffer.
        var payloads = Enumerable.Range(0, 120)
            .Select(i => i == 60 ? 3 << 20 : random.Next(1, 150_000))
            .Select(size => { var bytes = new byte[size]; random.NextBytes(bytes); return bytes; })
            .ToList();
        var stream = payloads.SelectMany(p => Frame(p)).ToArray();

        var writer = Task.Run(() =>
        {
            var cuts = new Random(11);
            for (var offset = 0; offset < stream.Length;)
            {
                var piece = Math.Min(cuts.Next(1, 20_000), stream.Length - offset);
                offset += opener.Send(stream, offset, piece, SocketFlags.None);
            }
            opener.Shutdown(SocketShutdown.Send);
        });

        var reader = new FrameReader(accepted, "a test peer");
        foreach (var expected in payloads)
        {
            Assert.True(await reader.MoveNext(CancellationToken.None));
            Assert.Equal(expected, reader.Current.Bytes.ToArray());
        }
        Assert.False(await reader.MoveNext(CancellationToken.None)); // the end of the stream, between frames
        await writer.WaitAsync(TimeSpan.FromSeconds(30));
        opener.Dispose();
        accepted.Dispose();
    }

    [Fact]
    public void A_frame_over_the_limit_is_refused_with_a_clear_error()
    {
        var (opener, accepted, _) = Pair(from: null);
        var header = new byte[sizeof(int)];
        BinaryPrimitives.WriteInt32LittleEndian(header, PeerConnection.MaxMessageBytes + 1);
        opener.Send(header);

        var error = Assert.Throws<RayException>(() => { _ = new FrameReader(accepted, "the driver").MoveNext(CancellationToken.None); });

        Assert.Contains("the driver sent a frame of", error.Message);
        Assert.Contains($"at most {PeerConnection.MaxMessageBytes}", error.Message);
        opener.Dispose();
        accepted.Dispose();
    }

    [Fact]
    public void A_stream_cut_in_the_middle_of_a_frame_is_an_error()
    {
        var (opener, accepted, _) = Pair(from: null);
        opener.Send(Frame(new byte[100])[..60]);
        opener.Shutdown(SocketShutdown.Send);

        var error = Assert.Throws<RayException>(() => { _ = new FrameReader(accepted, "the driver").MoveNext(CancellationToken.None); });

        Assert.Contains("closed in the middle of a frame", error.Message);
        opener.Dispose();
        accepted.Dispose();
    }

    [Fact]
    public void A_process_that_does_not_speak_GenRay_is_refused_at_the_door()
    {
        using var stranger = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        stranger.Connect(new UnixDomainSocketEndPoint("\0genray/" + _address));
        stranger.Send("GET / HTTP/1.1\r\n\r\n"u8.ToArray());
        using var accepted = _listener.Accept();

        var error = Assert.Throws<RayException>(() => LocalSocket.ReadOpener(accepted, TimeSpan.FromSeconds(10)));

        Assert.Contains("not a GenRay worker or driver", error.Message);
    }

    [Fact]
    public void No_listener_means_gRPC_is_used()
    {
        Assert.Null(LocalSocket.TryConnect($"test-{Guid.NewGuid():N}:2", from: null));
    }
}
