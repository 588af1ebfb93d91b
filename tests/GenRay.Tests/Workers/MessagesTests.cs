using GenRay.Cluster;
using MessagePack;

namespace GenRay.Tests.Workers;

/// <summary>
/// Messages are built into per-thread buffers. Every answer to a task or call builds its result value while the
/// message carrying it is being built: both must come out whole, and the nesting must not cost a buffer each time.
/// </summary>
public sealed class MessagesTests
{
    private static byte[] Value(int n) => Messages.Build((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(2);
        w.Write(n);
        w.Write(new string('v', n));
    });

    private static byte[] Answer(int n) => Messages.Build(MessageKind.TaskDone, 2, (ref MessagePackWriter w) =>
    {
        w.Write(n);
        w.Write(Value(n)); // built while the answer is
    });

    private static (int Id, int N, string Text) Read(byte[] message)
    {
        var reader = new MessagePackReader(message);
        Assert.Equal(3, reader.ReadArrayHeader());
        Assert.Equal((byte)MessageKind.TaskDone, reader.ReadByte());
        var id = reader.ReadInt32();
        var value = new MessagePackReader(reader.ReadBytes()!.Value);
        Assert.True(reader.End);
        Assert.Equal(2, value.ReadArrayHeader());
        return (id, value.ReadInt32(), value.ReadString()!);
    }

    [Fact]
    public void A_value_built_inside_a_message_comes_out_whole_and_so_does_the_message()
    {
        foreach (var n in new[] { 3, 2000, 5, 70_000, 1 })
        {
            Assert.Equal((n, n, new string('v', n)), Read(Answer(n)));
        }
    }

    [Fact]
    public void Messages_nested_three_deep_each_come_out_whole()
    {
        var message = Messages.Build(MessageKind.TaskDone, 2, (ref MessagePackWriter w) =>
        {
            w.Write(7);
            w.Write(Messages.Build((ref MessagePackWriter inner) =>
            {
                inner.WriteArrayHeader(2);
                inner.Write(Answer(9).Length); // a third buffer, while two are taken
                inner.Write("outer");
            }));
        });

        var reader = new MessagePackReader(message);
        reader.ReadArrayHeader();
        reader.ReadByte();
        Assert.Equal(7, reader.ReadInt32());
        var value = new MessagePackReader(reader.ReadBytes()!.Value);
        value.ReadArrayHeader();
        Assert.Equal(Answer(9).Length, value.ReadInt32());
        Assert.Equal("outer", value.ReadString());
    }

    [Fact]
    public void Answering_allocates_the_bytes_sent_and_no_buffer_per_answer()
    {
        for (var i = 0; i < 10; i++)
        {
            Answer(8); // the thread's buffers exist from here on
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        const int answers = 1000;
        var sent = 0L;
        for (var i = 0; i < answers; i++)
        {
            sent += Answer(8).Length;
        }
        var perAnswer = (GC.GetAllocatedBytesForCurrentThread() - before) / answers;

        // The message and the value are one small array each, and the test's two closures cost ~180 bytes: ~300 in
        // all. A 1 KiB buffer made per nested value showed as ~1,380 bytes per answer.
        Assert.True(perAnswer < 600, $"{perAnswer} bytes allocated per answer ({sent / answers} bytes sent each)");
    }
}
