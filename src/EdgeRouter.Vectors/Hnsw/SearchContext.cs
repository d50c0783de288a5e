namespace EdgeRouter.Vectors.Hnsw;

/// <summary>
/// Per-search scratch state, pooled by the index so that a search allocates nothing once warm: the visited set (one
/// epoch tag per node; a search bumps the epoch instead of clearing, and the array is cleared only when the 16-bit
/// epoch wraps, once every 65,535 searches), the two heaps and the normalised (and quantised) query.
/// </summary>
internal sealed class SearchContext
{
    private readonly int _dimension;
    private readonly float[] _query;
    private readonly sbyte[] _queryInt8;
    private ushort _epoch;

    public SearchContext(int nodes, int dimension, int maxLinks)
    {
        Visited = new ushort[nodes];
        _dimension = dimension;
        _query = GC.AllocateArray<float>(dimension + 16, pinned: true);
        _queryInt8 = GC.AllocateArray<sbyte>(dimension + 64, pinned: true);
        Frontier = new NearestFirstHeap(256);
        Nearest = new FarthestFirstHeap(256);
        Sorted = new Candidate[256];
        Links = new uint[maxLinks + 1];
        Expand = new uint[maxLinks + 1];
        Selected = new Candidate[maxLinks + 1];
        Pruned = new Candidate[maxLinks + 1];
    }

    /// <summary>Epoch tag per node id; a node is visited by this search when its tag equals <see cref="Epoch"/>.</summary>
    public ushort[] Visited { get; private set; }

    public ushort Epoch => _epoch;

    /// <summary>The normalised query: pinned and 64-byte aligned like the vectors in the slab, so that no SIMD load of
    /// either operand straddles two cache lines.</summary>
    public unsafe Span<float> Query
    {
        get
        {
            fixed (float* p = _query)
            {
                return _query.AsSpan((int)((64 - ((nuint)p % 64)) % 64 / sizeof(float)), _dimension);
            }
        }
    }

    /// <summary>The query quantised to int8 (pinned and 64-byte aligned).</summary>
    public unsafe Span<sbyte> QueryInt8
    {
        get
        {
            fixed (sbyte* p = _queryInt8)
            {
                return _queryInt8.AsSpan((int)((64 - ((nuint)p % 64)) % 64), _dimension);
            }
        }
    }

    public NearestFirstHeap Frontier { get; }

    public FarthestFirstHeap Nearest { get; }

    /// <summary>Scratch for draining <see cref="Nearest"/> in order.</summary>
    public Candidate[] Sorted { get; private set; }

    /// <summary>Scratch copy of one link list (inserts only).</summary>
    public uint[] Links { get; }

    /// <summary>The unvisited neighbours of the node being expanded (the graph walk).</summary>
    public uint[] Expand { get; }

    /// <summary>Scratch for the neighbour-selection heuristic: a new node's links (inserts only).</summary>
    public Candidate[] Selected { get; }

    /// <summary>Scratch for the neighbour-selection heuristic: a pruned link list (inserts only).</summary>
    public Candidate[] Pruned { get; }

    /// <summary>Starts a new visited set.</summary>
    public void NextEpoch()
    {
        if (++_epoch == 0)
        {
            Array.Clear(Visited);
            _epoch = 1;
        }
    }

    /// <summary>Makes the visited set cover <paramref name="nodes"/> ids (after the index grew).</summary>
    public void EnsureNodes(int nodes)
    {
        if (Visited.Length < nodes)
        {
            Visited = new ushort[nodes];
            _epoch = 0;
        }
    }

    public Span<Candidate> SortedBuffer(int count)
    {
        if (Sorted.Length < count)
        {
            Sorted = new Candidate[Math.Max(count, Sorted.Length * 2)];
        }

        return Sorted.AsSpan(0, count);
    }
}
