using System.Buffers;
using System.Collections.Concurrent;
using MessagePack;

namespace GenRay.Cluster;

/// <summary>
/// Values this process holds for other processes to fetch: large task results kept where they were produced, and
/// local values whose refs were sent elsewhere. Each entry counts the leases on it and goes away when the last is
/// released. Served in chunks by <see cref="NodeService.Fetch"/>.
/// </summary>
internal sealed class ObjectStore
{
    private readonly ConcurrentDictionary<ObjectId, Entry> _entries = new();

    public int Count => _entries.Count;

    public long Bytes => _entries.Values.Sum(e => (long)(e.Bytes?.Length ?? 0));

    /// <summary>Holds a serialized value (a large result) with one lease, the owner's.</summary>
    public void Hold(ObjectId id, byte[] bytes) => _entries[id] = new Entry(null, bytes, leases: 1);

    /// <summary>Adds a lease on a local value so another process can fetch it.</summary>
    public void Export(ObjectRef value)
    {
        _entries.AddOrUpdate(value.Id, _ => new Entry(value, null, leases: 1), (_, entry) =>
        {
            Interlocked.Increment(ref entry.Leases);
            return entry;
        });
    }

    /// <summary>One more lease on a held value, for a process a ref to it is being forwarded to; false when it is gone.</summary>
    public bool AddLease(ObjectId id)
    {
        if (!_entries.TryGetValue(id, out var entry))
        {
            return false;
        }
        Interlocked.Increment(ref entry.Leases);
        return true;
    }

    public void Release(ObjectId id)
    {
        if (_entries.TryGetValue(id, out var entry) && Interlocked.Decrement(ref entry.Leases) <= 0)
        {
            _entries.TryRemove(id, out _);
        }
    }

    public bool TryGet(ObjectId id, out ReadOnlyMemory<byte> bytes)
    {
        if (!_entries.TryGetValue(id, out var entry))
        {
            bytes = default;
            return false;
        }
        bytes = entry.Serialize();
        return true;
    }

    public void Clear() => _entries.Clear();

    private sealed class Entry
    {
        private readonly ObjectRef? _value;

        public Entry(ObjectRef? value, byte[]? bytes, int leases)
        {
            _value = value;
            Bytes = bytes;
            Leases = leases;
        }

        public byte[]? Bytes { get; private set; }

        public int Leases;

        public ReadOnlyMemory<byte> Serialize()
        {
            if (Bytes is { } bytes)
            {
                return bytes;
            }
            lock (this)
            {
                if (Bytes is null)
                {
                    var buffer = new ArrayBufferWriter<byte>();
                    var writer = new MessagePackWriter(buffer);
                    using (Serialization.WireContext.Enter(_value!.Runtime.Wire))
                    {
                        _value.WriteValue(ref writer);
                    }
                    writer.Flush();
                    Bytes = buffer.WrittenSpan.ToArray();
                }
                return Bytes;
            }
        }
    }
}
