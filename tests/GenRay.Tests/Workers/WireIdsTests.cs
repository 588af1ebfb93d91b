using GenRay.Cluster;
using MessagePack;

namespace GenRay.Tests.Workers;

/// <summary>Method ids as a worker reads them off the wire: into a stack buffer, or a string when they do not fit.</summary>
public sealed class WireIdsTests
{
    private static byte[] Encoded(string? id)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.Write(id);
        writer.Write(42); // what follows the id must still be where the reader expects it
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    [Theory]
    [InlineData("GenRay.Tests.Tasks.TaskRemotes.Add(int,int)")]
    [InlineData("Namespace.Klasse.Größe(string)")]
    [InlineData("")]
    public void An_id_reads_back_as_written_and_the_reader_moves_past_it(string id)
    {
        var reader = new MessagePackReader(Encoded(id));

        var read = WireIds.Decode(WireIds.Utf8(ref reader), stackalloc char[WireIds.StackChars]);

        Assert.Equal(id, read.ToString());
        Assert.Equal(42, reader.ReadInt32());
    }

    [Fact]
    public void An_id_longer_than_the_buffer_is_read_whole()
    {
        var id = new string('x', WireIds.StackChars * 3);
        var reader = new MessagePackReader(Encoded(id));

        var read = WireIds.Decode(WireIds.Utf8(ref reader), stackalloc char[WireIds.StackChars]);

        Assert.Equal(id, read.ToString());
        Assert.Equal(42, reader.ReadInt32());
    }

    [Fact]
    public void A_nil_id_reads_as_empty_so_only_its_work_fails_as_unknown()
    {
        var reader = new MessagePackReader(Encoded(null));

        var read = WireIds.Decode(WireIds.Utf8(ref reader), stackalloc char[WireIds.StackChars]);

        Assert.True(read.IsEmpty);
        Assert.Equal(42, reader.ReadInt32());
    }
}
