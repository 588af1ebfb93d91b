using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace GenRay.Cluster;

/// <summary>
/// A held value's shared-memory file, mapped read-only for as long as it takes to deserialize it. The formatters
/// copy what they read into managed objects, so nothing points into the mapping once it is disposed.
/// </summary>
internal sealed unsafe class MappedValue : MemoryManager<byte>
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _pointer;
    private readonly int _length;

    public MappedValue(string path, int length)
    {
        _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        try
        {
            _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            if (_view.Capacity < length)
            {
                throw new InvalidDataException($"The shared-memory file holds {_view.Capacity} of {length} bytes.");
            }
            byte* pointer = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            _pointer = pointer + _view.PointerOffset;
            _length = length;
        }
        catch
        {
            _view?.Dispose();
            _file.Dispose();
            throw;
        }
    }

    public ReadOnlySequence<byte> Bytes => new(Memory);

    public override Span<byte> GetSpan() => new(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
