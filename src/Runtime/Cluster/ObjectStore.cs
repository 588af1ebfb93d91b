using System.Buffers;
using System.Collections.Concurrent;
using MessagePack;

namespace GenRay.Cluster;

/// <summary>
/// Values this process holds for other processes to fetch: large task results kept where they were produced, and
/// local values whose refs were sent elsewhere. Each entry counts the leases on it and goes away when the last is
/// released. Served in chunks by <see cref="NodeService.Fetch"/>, or, to processes on this machine, as a file in
/// shared memory (<see cref="SharedMemory"/>) where values of 1 MiB and more are kept.
/// </summary>
internal sealed class ObjectStore
{
    private readonly ConcurrentDictionary<ObjectId, Entry> _entries = new();

    public int Count => _entries.Count;

    /// <summary>
    /// Whether values go to shared memory as soon as they are held, not when first fetched: set where the fetchers
    /// are processes of this machine (loopback), so a fetch maps a file already written, as Ray's plasma store
    /// holds large results from the moment they are made.
    /// </summary>
    public bool ShareOnHold { get; set; }

    /// <summary>
    /// Holds a serialized value (a large result) with one lease, the owner's. Where fetchers share this machine, one
    /// of <see cref="SharedMemory.MinBytes"/> or more goes straight from <paramref name="bytes"/> (the encoder's
    /// buffer) to shared memory: no copy of it on this process's heap, which for a 100 MiB result was another
    /// 100 MiB to allocate and collect per result.
    /// </summary>
    public void Hold(ObjectId id, ReadOnlySpan<byte> bytes)
    {
        var shared = ShareOnHold && SharedMemory.Enabled && bytes.Length >= SharedMemory.MinBytes;
        _entries[id] = shared
            ? Entry.Shared(id, SharedMemory.Write(id, bytes), bytes.Length)
            : new Entry(id, null, bytes.ToArray(), leases: 1);
    }

    /// <summary>Adds a lease on a local value so another process can fetch it.</summary>
    public void Export(ObjectRef value)
    {
        _entries.AddOrUpdate(value.Id, id => new Entry(id, value, null, leases: 1), (_, entry) =>
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
        if (_entries.TryGetValue(id, out var entry) && Interlocked.Decrement(ref entry.Leases) <= 0 && _entries.TryRemove(id, out _))
        {
            entry.Drop();
        }
    }

    /// <summary>The value's bytes, for the stream (a fetcher on another machine).</summary>
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

    /// <summary>The value's shared-memory file, for a fetcher on this machine; false when it is small or not here.</summary>
    public bool TryGetShared(ObjectId id, out string path, out int length)
    {
        path = "";
        length = 0;
        return _entries.TryGetValue(id, out var entry) && entry.TryShare(out path, out length);
    }

    /// <summary>The value for this process itself: mapped when it lives in shared memory.</summary>
    public bool TryOpen(ObjectId id, out Fetched value)
    {
        if (!_entries.TryGetValue(id, out var entry))
        {
            value = default;
            return false;
        }
        value = entry.TryShare(out var path, out var length)
            ? Fetched.Map(path, length)
            : new Fetched(new ReadOnlySequence<byte>(entry.Serialize()), null);
        return true;
    }

    /// <summary>
    /// What is held here, by id and size in bytes (a value not serialized yet counts 0): at most <paramref name="limit"/>
    /// entries, in no particular order, so a report of a store holding millions stays small.
    /// </summary>
    public IReadOnlyList<(ObjectId Id, long Size)> Snapshot(int limit) =>
        [.. _entries.Values.Take(limit).Select(e => (e.Id, e.Size))];

    public void Clear()
    {
        foreach (var id in _entries.Keys)
        {
            if (_entries.TryRemove(id, out var entry))
            {
                entry.Drop();
            }
        }
    }

    private sealed class Entry(ObjectId id, ObjectRef? value, byte[]? bytes, int leases)
    {
        private byte[]? _bytes = bytes;
        private string? _path;
        private int _length = bytes?.Length ?? -1;
        private bool _dropped;

        public int Leases = leases;

        /// <summary>A value already written to shared memory, with the owner's lease.</summary>
        public static Entry Shared(ObjectId id, string path, int length) => new(id, null, null, leases: 1) { _path = path, _length = length };

        public ObjectId Id => id;

        public long Size => Math.Max(0, Volatile.Read(ref _length));

        public ReadOnlyMemory<byte> Serialize()
        {
            lock (this)
            {
                if (_bytes is { } bytes)
                {
                    return bytes;
                }
                if (_path is { } path)
                {
                    return File.ReadAllBytes(path); // only for the stream, to another machine
                }
                var buffer = new ArrayBufferWriter<byte>();
                var writer = new MessagePackWriter(buffer);
                using (Serialization.WireContext.Enter(value!.Runtime.Wire))
                {
                    value.WriteValue(ref writer);
                }
                writer.Flush();
                _bytes = buffer.WrittenSpan.ToArray();
                _length = _bytes.Length;
                return _bytes;
            }
        }

        // Moves a large value to shared memory on first use (its bytes leave this process's heap).
        public bool TryShare(out string path, out int length)
        {
            path = "";
            length = 0;
            if (!SharedMemory.Enabled || (_length >= 0 && _length < SharedMemory.MinBytes))
            {
                return false;
            }
            lock (this)
            {
                if (_dropped)
                {
                    return false;
                }
                if (_path is null)
                {
                    var bytes = Serialize();
                    if (bytes.Length < SharedMemory.MinBytes)
                    {
                        return false;
                    }
                    _path = SharedMemory.Write(id, bytes.Span);
                    _bytes = null;
                }
                path = _path;
                length = _length;
                return true;
            }
        }

        public void Drop()
        {
            lock (this)
            {
                _dropped = true;
                _bytes = null;
                if (_path is { } path)
                {
                    SharedMemory.Delete(path);
                }
            }
        }
    }
}

/// <summary>Fetched bytes, and what keeps them readable (a shared-memory mapping) until disposed.</summary>
internal readonly struct Fetched(ReadOnlySequence<byte> bytes, IDisposable? owner) : IDisposable
{
    public ReadOnlySequence<byte> Bytes => bytes;

    public static Fetched Of(byte[] bytes) => new(new ReadOnlySequence<byte>(bytes), null);

    public static Fetched Map(string path, int length)
    {
        var mapped = SharedMemory.Map(path, length);
        return new Fetched(mapped.Bytes, mapped);
    }

    public void Dispose() => owner?.Dispose();
}
