using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeRouter.Vectors.Hnsw;

/// <summary>
/// An approximate nearest-neighbour index over cosine similarity: a Hierarchical Navigable Small World graph
/// (Malkov &amp; Yashunin, 2016), in the layout of hnswlib.
/// </summary>
/// <remarks>
/// <para>
/// <b>Metric.</b> Every vector is normalised to unit length when it is added (a zero or non-finite vector is
/// rejected), and so is every query; similarity is then the inner product, and the graph works with the distance
/// 1 − similarity. Results report the cosine similarity.
/// </para>
/// <para>
/// <b>Memory.</b> Nodes are addressed by <see cref="uint"/> slot ids. Level 0 — the vector and the links of every
/// node — is one contiguous native slab of fixed-size, 64-byte-aligned records:
/// <c>[vector (float32, or int8 when quantised) | scale, state, link count, level, label, upper-level offset | 2·M link ids]</c>.
/// The upper levels, which only about 1 node in M has, live in a second native arena of
/// <c>[count | M ids]</c> blocks. There are no per-node objects. With <see cref="HnswOptions.Quantize"/> a third slab
/// keeps the float32 copy of every vector for re-ranking.
/// </para>
/// <para>
/// <b>Thread-safety.</b> All members may be called concurrently. Writers (<see cref="Add"/>, <see cref="Remove"/>,
/// <see cref="Save"/>) are serialised by one lock. Searches take no lock on the graph: they run alongside a writer and
/// read link lists that the writer updates in place, which is safe because (1) a node's vector, label and empty link
/// lists are written and fenced before any link to it is published, (2) a link list is only ever overwritten with ids
/// of published nodes and its count is written last, so a reader sees each entry either old or new but always a valid
/// node, and (3) a vector is only rewritten while its slot is tombstoned, and every reported result is re-checked
/// against the slot's state and version around its (exact) similarity computation. What a concurrent search may see:
/// the graph as it was before, during or after a concurrent insert (a node being inserted may or may not be found);
/// it never returns a label that was removed before the search began, nor a similarity computed from a half-written
/// vector. Only growing the slabs past their capacity takes a reader-writer lock exclusively, briefly blocking
/// searches; size <see cref="HnswOptions.InitialCapacity"/> to avoid it.
/// </para>
/// <para>
/// <b>Deletes.</b> <see cref="Remove"/> tombstones the slot: it stays in the graph for routing but never appears in
/// results. A later <see cref="Add"/> reuses tombstoned slots (last removed first): each neighbour that linked to the
/// slot has that link replaced by one of the slot's former neighbours, then the new vector is linked in like a fresh
/// insert. The slot keeps its level, which was drawn from the same distribution. Replacing an existing label does the
/// same in place.
/// </para>
/// <para>
/// <b>Determinism.</b> Levels come from a SplitMix64 stream seeded with <see cref="HnswOptions.Seed"/>; the same seed
/// and the same sequence of writes produce a byte-identical index, before and after <see cref="Save"/>/<see cref="Load"/>.
/// </para>
/// </remarks>
public sealed unsafe partial class HnswIndex : IVectorIndex
{
    // Record header, right after the vector (offsets from the end of the vector region).
    private const int ScaleOffset = 0;       // float: int8 dequantisation scale (1 for float32 records)
    private const int StateOffset = 4;       // int: bit 0 = tombstone, bits 1.. = version, bumped on every change
    private const int Count0Offset = 8;      // int: number of level-0 links
    private const int LevelOffset = 12;      // int: the node's top level
    private const int LabelOffset = 16;      // ulong: the caller's label
    private const int UpperOffsetOffset = 24; // int: first uint of the node's blocks in the upper arena
    private const int HeaderBytes = 32;
    private const int Tombstone = 1;
    private const int Alignment = 64;
    private const int MaxCapacity = int.MaxValue - 64;

    private readonly HnswOptions _options;
    private readonly int _dimension;
    private readonly int _m;
    private readonly int _maxM0;
    private readonly int _efConstruction;
    private readonly double _levelMultiplier;
    private readonly bool _quantize;
    private readonly int _vectorBytes;
    private readonly int _stride;
    private readonly int _upperBlock;

    private readonly Lock _writeLock = new();
    private readonly ReaderWriterLockSlim _growLock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<ulong, uint> _labels = [];
    private readonly Stack<uint> _free = new();
    private readonly SearchContext?[] _pool;
    private readonly SearchContext _writer;

    private byte* _slab;
    private float* _floats;
    private uint* _upper;
    private int _capacity;
    private int _upperCapacity;
    private int _upperUsed;
    private int _nodeCount;
    private int _liveCount;
    private int _tombstones;
    private long _entry = -1; // (top level << 32) | entry id; -1 while empty
    private LevelGenerator _levels;
    private volatile bool _disposed;

    /// <summary>Creates an empty index.</summary>
    /// <param name="options">The index parameters; every invalid one is reported in one <see cref="ArgumentException"/>.</param>
    public HnswIndex(HnswOptions options)
        : this(options, options?.InitialCapacity ?? 0, options?.Seed ?? 0)
    {
    }

    private HnswIndex(HnswOptions options, int capacity, ulong levelState)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _options = options;
        _dimension = options.Dimension;
        _m = options.M;
        _maxM0 = 2 * options.M;
        _efConstruction = Math.Max(options.EfConstruction, options.M);
        _levelMultiplier = 1 / Math.Log(options.M);
        _quantize = options.Quantize;
        (_vectorBytes, _stride) = Layout(options);
        _upperBlock = options.M + 1;
        _levels = new LevelGenerator(levelState);
        _pool = new SearchContext?[Math.Max(4, 2 * Environment.ProcessorCount)];

        _capacity = Math.Max(1, capacity);
        _slab = (byte*)NativeMemory.AlignedAlloc((nuint)_capacity * (nuint)_stride, Alignment);
        if (_quantize)
        {
            _floats = (float*)NativeMemory.AlignedAlloc((nuint)_capacity * (nuint)_dimension * sizeof(float), Alignment);
        }

        _upperCapacity = Math.Max(64, _capacity / options.M * _upperBlock * 2);
        _upper = (uint*)NativeMemory.Alloc((nuint)_upperCapacity * sizeof(uint));
        _writer = new SearchContext(_capacity, _dimension, _maxM0);
    }

    /// <summary>Frees the native memory if <see cref="Dispose"/> was not called.</summary>
    ~HnswIndex() => FreeMemory();

    /// <summary>The parameters the index was created with.</summary>
    public HnswOptions Options => _options;

    /// <inheritdoc/>
    public int Dimension => _dimension;

    /// <summary>The number of labels stored (removed ones excluded). Safe to read at any time.</summary>
    public int Count => Volatile.Read(ref _liveCount);

    /// <summary>The number of slots allocated (grows by doubling as labels are added).</summary>
    public int Capacity => Volatile.Read(ref _capacity);

    /// <summary>Bytes of native memory the index holds now: the level-0 slab (at capacity), the upper-level arena and,
    /// when quantised, the float copies. The label map and search scratch are managed memory and not counted.</summary>
    public long NativeMemoryBytes
    {
        get
        {
            lock (_writeLock)
            {
                return ((long)_capacity * _stride) + ((long)_upperCapacity * sizeof(uint)) +
                    (_quantize ? (long)_capacity * _dimension * sizeof(float) : 0);
            }
        }
    }

    /// <summary>The bytes of one level-0 record (vector, header and 2·M links, padded to 64 bytes).</summary>
    public int RecordBytes => _stride;

    /// <summary>Slots ever used, live and tombstoned (a tombstoned slot is reused before a new one is taken).</summary>
    internal int SlotCount => Volatile.Read(ref _nodeCount);

    /// <summary>The current top level of the graph (−1 while empty).</summary>
    internal int TopLevel => _entry < 0 ? -1 : (int)(_entry >> 32);

    /// <inheritdoc/>
    public bool Contains(ulong label)
    {
        lock (_writeLock)
        {
            return _labels.ContainsKey(label);
        }
    }

    /// <summary>Frees the native memory. Waits for running searches; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_writeLock)
        {
            _growLock.EnterWriteLock();
            try
            {
                _disposed = true;
                FreeMemory();
            }
            finally
            {
                _growLock.ExitWriteLock();
            }
        }

        GC.SuppressFinalize(this);
    }

    private static (int VectorBytes, int Stride) Layout(HnswOptions options)
    {
        var vectorBytes = AlignUp(options.Dimension * (options.Quantize ? sizeof(sbyte) : sizeof(float)));
        var stride = AlignUp(vectorBytes + HeaderBytes + (2 * options.M * sizeof(uint)));
        return (vectorBytes, stride);
    }

    private static int AlignUp(int bytes) => (bytes + Alignment - 1) & ~(Alignment - 1);

    private void FreeMemory()
    {
        NativeMemory.AlignedFree(_slab);
        NativeMemory.AlignedFree(_floats);
        NativeMemory.Free(_upper);
        _slab = null;
        _floats = null;
        _upper = null;
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            ThrowHelper.Disposed(nameof(HnswIndex));
        }
    }

    // ---- record access -------------------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* Record(uint id) => _slab + ((nuint)id * (nuint)_stride);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref int StateOf(uint id) => ref *(int*)(Record(id) + _vectorBytes + StateOffset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsTombstoned(uint id) => (Volatile.Read(ref StateOf(id)) & Tombstone) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref int LevelOf(uint id) => ref *(int*)(Record(id) + _vectorBytes + LevelOffset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref ulong LabelOf(uint id) => ref *(ulong*)(Record(id) + _vectorBytes + LabelOffset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref int UpperOffsetOf(uint id) => ref *(int*)(Record(id) + _vectorBytes + UpperOffsetOffset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref float ScaleOf(uint id) => ref *(float*)(Record(id) + _vectorBytes + ScaleOffset);

    /// <summary>The float32 vector of a node: in the record, or in the float copy when the records hold int8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float* FloatVector(uint id) =>
        _quantize ? _floats + ((nuint)id * (nuint)_dimension) : (float*)Record(id);

    /// <summary>The link list of a node at a level: a pointer to its count, followed by the ids.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int* LinkCount(uint id, int level)
    {
        var record = Record(id);
        return level == 0
            ? (int*)(record + _vectorBytes + Count0Offset)
            : (int*)(_upper + *(int*)(record + _vectorBytes + UpperOffsetOffset) + ((level - 1) * _upperBlock));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint* LinkIds(uint id, int level, int* count) =>
        level == 0 ? (uint*)(Record(id) + _vectorBytes + HeaderBytes) : (uint*)(count + 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float NodeDistance(uint a, uint b) =>
        1 - Kernels.VectorKernels.Dot(ref *FloatVector(a), ref *FloatVector(b), _dimension);

    private static long PackEntry(uint id, int level) => ((long)level << 32) | id;

    private static (uint Id, int Level) UnpackEntry(long entry) => ((uint)entry, (int)(entry >> 32));

    // ---- search-context pool -------------------------------------------------------------------------------------

    private SearchContext Rent()
    {
        var pool = _pool;
        for (var i = 0; i < pool.Length; i++)
        {
            var context = Interlocked.Exchange(ref pool[i], null);
            if (context is not null)
            {
                context.EnsureNodes(_capacity);
                return context;
            }
        }

        return new SearchContext(_capacity, _dimension, _maxM0);
    }

    private void Return(SearchContext context)
    {
        var pool = _pool;
        for (var i = 0; i < pool.Length; i++)
        {
            if (Interlocked.CompareExchange(ref pool[i], context, null) is null)
            {
                return;
            }
        }
    }

    // ---- growth (writer lock held) -------------------------------------------------------------------------------

    private void EnsureCapacity(int nodes)
    {
        if (nodes <= _capacity)
        {
            return;
        }

        if (nodes > MaxCapacity)
        {
            throw new InvalidOperationException($"The index cannot hold more than {MaxCapacity} vectors.");
        }

        var capacity = (int)Math.Min(Math.Max(2L * _capacity, nodes), MaxCapacity);
        _growLock.EnterWriteLock();
        try
        {
            _slab = (byte*)NativeMemory.AlignedRealloc(_slab, (nuint)capacity * (nuint)_stride, Alignment);
            if (_quantize)
            {
                _floats = (float*)NativeMemory.AlignedRealloc(_floats, (nuint)capacity * (nuint)_dimension * sizeof(float), Alignment);
            }

            Volatile.Write(ref _capacity, capacity);
        }
        finally
        {
            _growLock.ExitWriteLock();
        }

        _writer.EnsureNodes(capacity);
    }

    /// <summary>Reserves <paramref name="level"/> zeroed link blocks in the upper arena; returns their offset.</summary>
    private int AllocateUpper(int level)
    {
        var needed = level * _upperBlock;
        if ((long)_upperUsed + needed > _upperCapacity)
        {
            var capacity = (int)Math.Min(Math.Max(2L * _upperCapacity, (long)_upperUsed + needed), int.MaxValue);
            _growLock.EnterWriteLock();
            try
            {
                _upper = (uint*)NativeMemory.Realloc(_upper, (nuint)capacity * sizeof(uint));
                _upperCapacity = capacity;
            }
            finally
            {
                _growLock.ExitWriteLock();
            }
        }

        var offset = _upperUsed;
        NativeMemory.Clear(_upper + offset, (nuint)needed * sizeof(uint));
        _upperUsed += needed;
        return offset;
    }
}
