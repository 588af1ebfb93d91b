using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace GenRay;

/// <summary>
/// A reference to an object that a remote task or actor call will produce (or that <see cref="Ray.Put{T}(T)"/>
/// stored): Ray's <c>ObjectRef</c>. It is returned at once, can be passed to other remote calls as a
/// dependency, and is read with <see cref="Ray.Get(ObjectRef, TimeSpan?)"/> or <c>await</c>.
/// This non-generic form is what remotes returning <c>void</c>, <c>Task</c> or <c>ValueTask</c> give back.
/// </summary>
/// <remarks>
/// The object lives as long as some ref to it is reachable; dropping every ref frees it, and never
/// cancels the work that produces it.
/// </remarks>
[DebuggerDisplay("{ToString(),nq} {DebuggerState,nq}")]
public class ObjectRef : IEquatable<ObjectRef>
{
    // A value cannot be written atomically with the state, so completion takes two steps: claim
    // (Pending → Claimed), store the value or error, publish (→ Succeeded or Failed). Readers look at
    // the value only after they see a published state.
    private const int Pending = 0;
    private const int Claimed = 1;
    private const int Succeeded = 2;
    private const int Failed = 3;

    // One word holds the state (the low two bits, the only ones that change), the kind (the next two) and the
    // owner, as its number in OwnerNumbers (the rest): a ref is in flight by the thousand, and each 8 bytes it saves
    // is copied less by every GC it survives.
    private const int StateMask = 3;
    private const int KindShift = 2;
    private const int OwnerShift = 4;

    // Marks _listeners once the object is complete; listeners added after that are told at once by their caller.
    private static readonly object s_completed = new();

    private readonly ulong _sequence;
    private volatile int _word;
    private object? _listeners; // null, one IObjectListener, a ListenerList, or s_completed

    // One word for what the object holds besides its value, one thing at a time: while pending, the work that will
    // complete it (Producer); once failed, its error; once completed by another process, where the value is (Remote).
    // Refs are in flight by the thousand and survive GCs while they are, so each word is paid for many times over.
    // Only the thread that claimed completion writes the outcome; the producer is cleared before that only by a
    // compare-and-swap (ClearProducer), so a late clear can never erase an outcome written meanwhile.
    private object? _extra;

    internal ObjectRef(RayRuntime runtime, ObjectKind kind)
    {
        Runtime = runtime;
        _word = Word(runtime.OwnerNumber, kind);
        _sequence = ObjectSequence.Next();
    }

    /// <summary>A ref with a given id: made by another process (or for one), so ids agree across processes.</summary>
    internal ObjectRef(RayRuntime runtime, ObjectId id)
    {
        Runtime = runtime;
        _word = Word(id.Owner == runtime.OwnerId ? runtime.OwnerNumber : OwnerNumbers.Of(id.Owner), id.Kind);
        _sequence = id.Sequence;
    }

    internal RayRuntime Runtime { get; }

    /// <summary>The work that will complete this object, while it is pending: what <see cref="Ray.Cancel"/> reaches.</summary>
    internal ICancellableWork? Producer => Volatile.Read(ref _extra) as ICancellableWork;

    /// <summary>Names the work that will complete this object. Before the ref is shared (the work's constructor).</summary>
    internal void SetProducer(ICancellableWork producer) => _extra = producer;

    /// <summary>The work no longer answers for this object (it started, or went to another process): cancel stops reaching it.</summary>
    internal void ClearProducer(ICancellableWork producer) => Interlocked.CompareExchange(ref _extra, null, producer);

    internal ObjectKind Kind => (ObjectKind)((_word >> KindShift) & 3);

    private int State => _word & StateMask;

    private int OwnerNumber => _word >>> OwnerShift;

    private static int Word(int owner, ObjectKind kind) => (owner << OwnerShift) | ((int)kind << KindShift) | Pending;

    /// <summary>The object's id, printed like Ray's <c>ObjectID</c> (40 lowercase hex digits).</summary>
    public ObjectId Id => new(OwnerNumbers.At(OwnerNumber), _sequence, Kind);

    /// <summary>Where the value lives when it was produced in another process and not fetched yet.</summary>
    internal Cluster.RemoteValue? Remote => Volatile.Read(ref _extra) as Cluster.RemoteValue;

    /// <summary>The value from <see cref="Remote"/> is here now. Once complete, under the caller's lock.</summary>
    private protected void ForgetRemote() => Volatile.Write(ref _extra, null);

    internal bool IsCompleted => State >= Succeeded;

    internal bool IsFaulted => State == Failed;

    internal Exception? Error => State == Failed ? ((ExceptionDispatchInfo)_extra!).SourceException : null;

    private string DebuggerState => State switch { Succeeded => "(ready)", Failed => $"(failed: {Error?.Message})", _ => "(pending)" };

    /// <summary>Gets an awaiter, so <c>await objectRef</c> waits for the work to finish (and rethrows its error).</summary>
    public ObjectRefAwaiter GetAwaiter() => new(this);

    /// <summary>Prints <c>ObjectRef(&lt;id&gt;)</c>, as Ray does.</summary>
    public override string ToString() => $"ObjectRef({Id})";

    /// <inheritdoc />
    public bool Equals(ObjectRef? other) =>
        other is not null && (ReferenceEquals(this, other) || (_sequence == other._sequence && (_word & ~StateMask) == (other._word & ~StateMask)));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ObjectRef);

    /// <inheritdoc />
    public override int GetHashCode() => _sequence.GetHashCode();

    /// <summary>Fails the object; dependents fail with the same error. Returns false when already complete.</summary>
    internal bool TrySetException(Exception error)
    {
        if (!TryClaim())
        {
            return false;
        }
        _extra = ExceptionDispatchInfo.Capture(error);
        Publish(Failed);
        return true;
    }

    /// <summary>Marks a value-less object ready (the result of a void remote).</summary>
    internal bool TrySetCompleted()
    {
        if (!TryClaim())
        {
            return false;
        }
        _extra = null;
        Publish(Succeeded);
        return true;
    }

    /// <summary>Completes the object as ready, its value held by another process (fetched on first read).</summary>
    internal bool TrySetRemote(Cluster.RemoteValue location)
    {
        if (!TryClaim())
        {
            return false;
        }
        _extra = location;
        Publish(Succeeded);
        return true;
    }

    /// <summary>Completes the object from its serialized value (a result sent back by another process).</summary>
    internal virtual bool TrySetFromWire(System.Buffers.ReadOnlySequence<byte> bytes) => TrySetCompleted();

    /// <summary>Writes the (completed, local) value in the wire format.</summary>
    internal virtual void WriteValue(ref MessagePack.MessagePackWriter writer) => writer.WriteNil();

    /// <summary>Whether the value is in this process (not only a location to fetch it from).</summary>
    internal bool HasLocalValue => IsCompleted && !IsFaulted && Remote is null;

    /// <summary>Claims the right to complete; the caller stores the value, then calls <see cref="PublishSucceeded"/>.</summary>
    private protected bool TryClaim()
    {
        var pending = _word & ~StateMask; // Pending is 0: the word as it was made
        return Interlocked.CompareExchange(ref _word, pending | Claimed, pending) == pending;
    }

    /// <summary>Publishes the value the claiming thread stored (a value of this process: no producer, no remote place).</summary>
    private protected void PublishSucceeded()
    {
        _extra = null;
        Publish(Succeeded);
    }

    private void Publish(int state)
    {
        Debug.Assert(State == Claimed);
        _word = (_word & ~StateMask) | state; // only the claiming thread writes the word now
        NotifyListeners();
    }

    /// <summary>Calls <paramref name="listener"/> once the object is complete: at once, on this thread, if it already is.</summary>
    internal void WhenReady(IObjectListener listener)
    {
        if (!TryAddListener(listener))
        {
            listener.OnObjectReady(this);
        }
    }

    /// <summary>
    /// Registers a listener called once the object is complete. Returns false, without registering, when the
    /// object is already complete: the caller then acts at once.
    /// </summary>
    internal bool TryAddListener(IObjectListener listener)
    {
        if (Interlocked.CompareExchange(ref _listeners, listener, null) is null)
        {
            return true;
        }
        return TryAddListenerSlow(listener);
    }

    private bool TryAddListenerSlow(IObjectListener listener)
    {
        while (true)
        {
            var current = Volatile.Read(ref _listeners);
            switch (current)
            {
                case null:
                    if (Interlocked.CompareExchange(ref _listeners, listener, null) is null)
                    {
                        return true;
                    }
                    break;
                case ListenerList list:
                    if (list.TryAdd(listener))
                    {
                        return true;
                    }
                    return false; // closed: the object completed meanwhile
                default:
                    if (ReferenceEquals(current, s_completed))
                    {
                        return false;
                    }
                    var upgraded = new ListenerList((IObjectListener)current, listener);
                    if (Interlocked.CompareExchange(ref _listeners, upgraded, current) == current)
                    {
                        return true;
                    }
                    break;
            }
        }
    }

    /// <summary>Removes a listener that no longer waits (a timed-out Wait), so a never-completing object does not collect them.</summary>
    internal void RemoveListener(IObjectListener listener)
    {
        var current = Volatile.Read(ref _listeners);
        if (ReferenceEquals(current, listener))
        {
            Interlocked.CompareExchange(ref _listeners, null, listener);
        }
        else if (current is ListenerList list)
        {
            list.Remove(listener);
        }
    }

    private void NotifyListeners()
    {
        var listeners = Interlocked.Exchange(ref _listeners, s_completed);
        if (listeners is IObjectListener single)
        {
            single.OnObjectReady(this);
        }
        else if (listeners is ListenerList list)
        {
            foreach (var listener in list.Close())
            {
                listener.OnObjectReady(this);
            }
        }
    }

    internal void Cancel(bool force) => Producer?.Cancel(force);

    /// <summary>Throws the object's error (rethrown with its original stack) or, for a ref of a runtime that was shut down, says so.</summary>
    internal void ThrowIfFailed()
    {
        if (State == Failed)
        {
            ((ExceptionDispatchInfo)_extra!).Throw();
        }
    }

    /// <summary>Blocks until complete or the timeout passes; false on timeout.</summary>
    internal bool WaitCompleted(TimeSpan? timeout)
    {
        if (IsCompleted)
        {
            return true;
        }
        if (timeout is null && Producer switch
            {
                Internal.TaskInvocation task => task.TryRunInline(),
                Internal.ActorCall { Actor: LocalActor actor } call => actor.TryRunTurnInline(call),
                _ => false,
            } && IsCompleted)
        {
            return true;
        }
        return BlockingWait.WaitOne(this, timeout);
    }

    /// <summary>Throws if the object failed; waits if needed. Used by <c>Ray.Get</c> for void refs.</summary>
    internal void GetVoid(TimeSpan? timeout)
    {
        Runtime.ThrowIfShutDown(this);
        if (!WaitCompleted(timeout))
        {
            throw Timeout(timeout!.Value);
        }
        ThrowIfFailed();
    }

    internal GetTimeoutException Timeout(TimeSpan timeout) =>
        new($"Get timed out after {timeout.TotalSeconds:0.###} s waiting for {this}: the task that makes it has not finished. Wait longer, or use Ray.Wait to poll.");

    internal Task AsTask()
    {
        if (IsCompleted)
        {
            return IsFaulted ? Task.FromException(Error!) : Task.CompletedTask;
        }
        var source = new TaskListener(this);
        return source.Task;
    }

    private sealed class TaskListener : TaskCompletionSource, IObjectListener
    {
        public TaskListener(ObjectRef target) : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
            target.WhenReady(this);
        }

        public void OnObjectReady(ObjectRef completed)
        {
            if (completed.IsFaulted)
            {
                TrySetException(completed.Error!);
            }
            else
            {
                TrySetResult();
            }
        }
    }

    /// <summary>More than one listener: a small locked list, closed when the object completes.</summary>
    private sealed class ListenerList
    {
        private List<IObjectListener>? _items;

        public ListenerList(IObjectListener first, IObjectListener second) => _items = [first, second];

        public bool TryAdd(IObjectListener listener)
        {
            lock (this)
            {
                if (_items is null)
                {
                    return false;
                }
                _items.Add(listener);
                return true;
            }
        }

        public void Remove(IObjectListener listener)
        {
            lock (this)
            {
                _items?.Remove(listener);
            }
        }

        public List<IObjectListener> Close()
        {
            lock (this)
            {
                var items = _items!;
                _items = null;
                return items;
            }
        }
    }
}
