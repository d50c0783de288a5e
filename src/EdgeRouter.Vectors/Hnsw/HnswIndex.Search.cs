using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using EdgeRouter.Vectors.Kernels;

namespace EdgeRouter.Vectors.Hnsw;

// Reads: k-nearest-neighbour search and the graph walks it shares with inserts.
public sealed unsafe partial class HnswIndex
{
    /// <inheritdoc/>
    public int Search(ReadOnlySpan<float> query, int k, Span<SearchResult> results) => Search(query, k, results, 0);

    /// <summary>
    /// Finds the stored vectors most similar to <paramref name="query"/>. Allocates nothing once the index has served
    /// a few searches (scratch state is pooled). Thread-safe, and runs alongside writes without waiting for them.
    /// </summary>
    /// <param name="query">The query: <see cref="Dimension"/> components; normalised internally.</param>
    /// <param name="k">How many results to return at most; at least 1.</param>
    /// <param name="results">Receives the results, most similar first, with exact cosine similarities.</param>
    /// <param name="ef">The candidate list size for this search (0 = <see cref="HnswOptions.Ef"/>); raised to k, and
    /// when quantised to k · <see cref="HnswOptions.RerankFactor"/>.</param>
    /// <returns>The number of results written: k, or fewer when fewer labels are stored.</returns>
    /// <exception cref="ArgumentException">The query has the wrong length or a zero/non-finite norm, or
    /// <paramref name="results"/> is shorter than k.</exception>
    /// <exception cref="ObjectDisposedException">The index was disposed.</exception>
    public int Search(ReadOnlySpan<float> query, int k, Span<SearchResult> results, int ef)
    {
        if (query.Length != _dimension)
        {
            ThrowHelper.WrongDimension(nameof(query), _dimension, query.Length);
        }

        if (k < 1)
        {
            ThrowHelper.KOutOfRange(k);
        }

        if (results.Length < k)
        {
            ThrowHelper.ResultsTooShort(k, results.Length);
        }

        _growLock.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            var entry = Volatile.Read(ref _entry);
            if (entry < 0)
            {
                return 0;
            }

            var context = Rent();
            try
            {
                return SearchCore(query, k, results, ef, entry, context);
            }
            finally
            {
                Return(context);
            }
        }
        finally
        {
            _growLock.ExitReadLock();
        }
    }

    private int SearchCore(ReadOnlySpan<float> query, int k, Span<SearchResult> results, int ef, long entry, SearchContext context)
    {
        var norm = VectorKernels.Normalize(query, context.Query);
        if (!(norm > 0) || !float.IsFinite(norm))
        {
            ThrowHelper.NotFinite(nameof(query));
        }

        var rerank = _quantize ? k * _options.RerankFactor : k;
        var efSearch = Math.Max(Math.Max(ef > 0 ? ef : _options.Ef, k), rerank);
        var (entryId, topLevel) = UnpackEntry(entry);
        var excludeTombstones = Volatile.Read(ref _tombstones) > 0;
        fixed (float* q = context.Query)
        fixed (sbyte* q8 = context.QueryInt8)
        {
            if (_quantize)
            {
                var scale = ScalarQuantizer.Quantize(context.Query, context.QueryInt8);
                var space = new Int8Space(q8, scale, _slab, (nuint)_stride, _dimension, _vectorBytes + ScaleOffset);
                Walk(ref space, entryId, topLevel, efSearch, excludeTombstones, context);
            }
            else
            {
                var space = new FloatSpace(q, _slab, (nuint)_stride, _dimension);
                Walk(ref space, entryId, topLevel, efSearch, excludeTombstones, context);
            }

            return CollectResults(q, k, rerank, results, context);
        }
    }

    private void Walk<TSpace>(ref TSpace space, uint entryId, int topLevel, int ef, bool excludeTombstones, SearchContext context)
        where TSpace : struct, IDistanceSpace
    {
        var current = entryId;
        var distance = space.Distance(current);
        for (var level = topLevel; level > 0; level--)
        {
            Greedy(ref space, ref current, ref distance, level);
        }

        SearchLayer(ref space, current, distance, 0, ef, context, excludeTombstones);
    }

    /// <summary>
    /// Turns the best candidates into results: in distance order, each live candidate gets its exact (float) cosine
    /// similarity and label, read between two reads of its state; a slot that was tombstoned or rewritten meanwhile is
    /// skipped. Unquantised, the first k valid candidates are taken; quantised, the first k · RerankFactor are re-ranked
    /// and the best k kept.
    /// </summary>
    private int CollectResults(float* query, int k, int rerank, Span<SearchResult> results, SearchContext context)
    {
        var sorted = context.SortedBuffer(context.Nearest.Count);
        var n = context.Nearest.DrainSorted(sorted);
        if (_quantize && Sse.IsSupported)
        {
            // The float copies of the re-rank candidates are cold: start all their loads before the first dot product.
            for (var i = 0; i < n && i < rerank; i++)
            {
                var vector = (byte*)FloatVector(sorted[i].Id);
                Sse.Prefetch0(vector);
                Sse.Prefetch0(vector + 64);
            }
        }

        var written = 0;
        var considered = 0;
        for (var i = 0; i < n && considered < rerank; i++)
        {
            var id = sorted[i].Id;
            ref var state = ref StateOf(id);
            var before = Volatile.Read(ref state);
            if ((before & Tombstone) != 0)
            {
                continue;
            }

            var label = LabelOf(id);
            var similarity = VectorKernels.Dot(ref *query, ref *FloatVector(id), _dimension);
            Interlocked.MemoryBarrier(); // the label and vector reads complete before the state is read again
            if (Volatile.Read(ref state) != before)
            {
                continue;
            }

            considered++;
            InsertResult(results, ref written, k, new SearchResult(label, similarity));
        }

        return written;
    }

    private static void InsertResult(Span<SearchResult> results, ref int count, int k, SearchResult item)
    {
        if (count == k)
        {
            if (item.Similarity <= results[k - 1].Similarity)
            {
                return;
            }

            count--;
        }

        var i = count++;
        while (i > 0 && results[i - 1].Similarity < item.Similarity)
        {
            results[i] = results[i - 1];
            i--;
        }

        results[i] = item;
    }

    /// <summary>Greedy descent on an upper level: move to the closest neighbour until none is closer.</summary>
    private void Greedy<TSpace>(ref TSpace space, ref uint current, ref float distance, int level)
        where TSpace : struct, IDistanceSpace
    {
        bool changed;
        do
        {
            changed = false;
            var countPtr = LinkCount(current, level);
            var count = Volatile.Read(ref *countPtr);
            var ids = LinkIds(current, level, countPtr);
            for (var j = 0; j < count; j++)
            {
                var candidate = ids[j];
                var d = space.Distance(candidate);
                if (d < distance)
                {
                    distance = d;
                    current = candidate;
                    changed = true;
                }
            }
        }
        while (changed);
    }

    /// <summary>
    /// The layer search of the HNSW paper (algorithm 2; hnswlib's searchBaseLayer): a best-first walk from the entry
    /// keeping the <paramref name="ef"/> nearest nodes seen in <c>context.Nearest</c>. Tombstoned nodes are walked
    /// through but, when <paramref name="excludeTombstones"/>, not kept (and then the walk continues until ef live
    /// nodes are kept, as hnswlib does with deletions).
    /// </summary>
    /// <remarks>
    /// Expanding a node first marks its unvisited neighbours and prefetches all of their vectors, then computes the
    /// distances: the cache misses of up to 2·M vectors overlap instead of one prefetch running one distance ahead.
    /// </remarks>
    private void SearchLayer<TSpace>(ref TSpace space, uint entryId, float entryDistance, int level, int ef, SearchContext context, bool excludeTombstones)
        where TSpace : struct, IDistanceSpace
    {
        context.NextEpoch();
        var epoch = context.Epoch;
        ref var visited = ref MemoryMarshal.GetArrayDataReference(context.Visited);
        ref var expand = ref MemoryMarshal.GetArrayDataReference(context.Expand);
        var frontier = context.Frontier;
        var nearest = context.Nearest;
        frontier.Clear();
        nearest.Clear();

        Unsafe.Add(ref visited, entryId) = epoch;
        var bound = float.MaxValue;
        if (!excludeTombstones || !IsTombstoned(entryId))
        {
            nearest.Push(entryDistance, entryId);
            bound = entryDistance;
        }

        frontier.Push(entryDistance, entryId);
        while (frontier.Count > 0)
        {
            var current = frontier.Top;
            if (current.Distance > bound && (nearest.Count == ef || !excludeTombstones))
            {
                break;
            }

            frontier.Pop();
            var countPtr = LinkCount(current.Id, level);
            var count = Volatile.Read(ref *countPtr);
            var ids = LinkIds(current.Id, level, countPtr);
            var fresh = 0;
            for (var j = 0; j < count; j++)
            {
                var id = ids[j];
                ref var tag = ref Unsafe.Add(ref visited, id);
                if (tag != epoch)
                {
                    tag = epoch;
                    space.Prefetch(id);
                    Unsafe.Add(ref expand, fresh++) = id;
                }
            }

            for (var j = 0; j < fresh; j++)
            {
                var id = Unsafe.Add(ref expand, j);
                var d = space.Distance(id);
                if (nearest.Count < ef || d < bound)
                {
                    frontier.Push(d, id);
                    if (!excludeTombstones || !IsTombstoned(id))
                    {
                        if (nearest.Count < ef)
                        {
                            nearest.Push(d, id);
                        }
                        else
                        {
                            nearest.ReplaceTop(d, id);
                        }
                    }

                    if (nearest.Count > 0)
                    {
                        bound = nearest.Top.Distance;
                    }
                }
            }
        }
    }
}
