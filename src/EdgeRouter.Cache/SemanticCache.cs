using System.Collections.Concurrent;
using EdgeRouter.Cache.Storage;
using EdgeRouter.Vectors;
using EdgeRouter.Vectors.Hnsw;

namespace EdgeRouter.Cache;

/// <summary>Settings of a <see cref="SemanticCache"/>.</summary>
public sealed record SemanticCacheOptions
{
    /// <summary>Length of the embeddings stored (the encoder's dimensions).</summary>
    public required int Dimensions { get; init; }

    /// <summary>Most entries kept; the least recently used go first.</summary>
    public int MaxEntries { get; init; } = 100_000;

    /// <summary>Nearest neighbours examined per semantic lookup.</summary>
    public int Candidates { get; init; } = 8;

    /// <summary>HNSW links per node.</summary>
    public int M { get; init; } = 16;

    /// <summary>HNSW candidate list while inserting.</summary>
    public int EfConstruction { get; init; } = 200;

    /// <summary>HNSW candidate list while searching.</summary>
    public int Ef { get; init; } = 64;
}

/// <summary>
/// The cache itself: entries in memory (an exact-hash map and one HNSW index per tenant and route, so no lookup can
/// reach another tenant's entries), least-recently-used eviction under a size cap, lifetimes, invalidation, and a
/// durable store written through. Lookups take no global lock; writes and evictions serialise on one. Thread-safe.
/// </summary>
public sealed class SemanticCache : IDisposable
{
    private readonly SemanticCacheOptions _options;
    private readonly ICacheStore _store;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<Guid, Slot> _entries = new();
    private readonly ConcurrentDictionary<ExactKey, Guid> _exact = new();
    private readonly ConcurrentDictionary<NamespaceKey, Namespace> _namespaces = new();
    private readonly LinkedList<Guid> _recency = new();
    private readonly Lock _writeGate = new();
    private long _nextLabel;
    private long _hits;
    private long _semanticHits;
    private long _misses;
    private long _guardRejections;
    private long _evictions;
    private long _expirations;

    /// <summary>Creates an empty cache over <paramref name="store"/>; call <see cref="Load"/> to bring back what the store holds.</summary>
    public SemanticCache(SemanticCacheOptions options, ICacheStore store, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _store = store;
        _time = time;
    }

    /// <summary>The clock entries are stamped and expired by.</summary>
    public TimeProvider Time => _time;

    /// <summary>The durable store behind the cache.</summary>
    public ICacheStore Store => _store;

    /// <summary>Current counters.</summary>
    public CacheStats Stats => new(_entries.Count, Interlocked.Read(ref _hits), Interlocked.Read(ref _semanticHits),
        Interlocked.Read(ref _misses), Interlocked.Read(ref _guardRejections), Interlocked.Read(ref _evictions), Interlocked.Read(ref _expirations));

    /// <summary>Rebuilds the in-memory indexes from the store; expired entries are deleted. Returns (loaded, damaged).</summary>
    public (int Loaded, int Damaged) Load()
    {
        var entries = _store.ReadAll(out var damaged);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var loaded = 0;
        foreach (var entry in entries.OrderBy(e => e.CreatedUnixMs))
        {
            if (entry.IsExpired(now) || entry.Embedding.Length is not 0 && entry.Embedding.Length != _options.Dimensions)
            {
                _store.Delete(entry.Id);
                continue;
            }

            lock (_writeGate)
            {
                Insert(entry);
            }

            loaded++;
        }

        // The cap may have been lowered since the store was written: keep the newest entries.
        lock (_writeGate)
        {
            loaded -= EvictOverCapLocked();
        }

        return (loaded, damaged);
    }

    /// <summary>
    /// The exact request's live entry, if cached: what <see cref="Lookup"/> tries first, callable before the request
    /// is embedded so an exact hit never pays for the encoder. A miss here is not counted; <see cref="Lookup"/> counts it.
    /// </summary>
    public bool TryExact(string tenant, string route, in RequestFingerprint fingerprint, out CacheLookup hit)
    {
        if (_exact.TryGetValue(new ExactKey(tenant, route, fingerprint.ExactHash), out var id) && _entries.TryGetValue(id, out var exact))
        {
            if (!exact.Entry.IsExpired(_time.GetUtcNow().ToUnixTimeMilliseconds()))
            {
                hit = Hit(exact, CacheHitKind.Exact, 1f);
                return true;
            }

            Expire(exact.Entry);
        }

        hit = default;
        return false;
    }

    /// <summary>Finds an answer for <paramref name="query"/>: the exact request first, then the closest question above the threshold.</summary>
    public CacheLookup Lookup(in CacheQuery query)
    {
        if (TryExact(query.Tenant, query.Route, query.Fingerprint, out var exactHit))
        {
            return exactHit;
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();

        if (query.Embedding.IsEmpty || !query.Fingerprint.SemanticAllowed
            || !_namespaces.TryGetValue(new NamespaceKey(query.Tenant, query.Route), out var space))
        {
            Interlocked.Increment(ref _misses);
            return CacheLookup.Miss();
        }

        Span<SearchResult> results = stackalloc SearchResult[Math.Clamp(_options.Candidates, 1, 64)];
        var found = space.Index.Search(query.Embedding.Span, results.Length, results);
        var scorer = query.Similarity;
        Span<(float Score, int Index)> scored = stackalloc (float, int)[found];
        var count = 0;
        for (var i = 0; i < found; i++)
        {
            // Results come best cosine first, so once even a perfect lexical match could not reach the threshold, stop.
            var cosine = results[i].Similarity;
            if ((scorer?.UpperBound(cosine) ?? cosine) < query.Threshold)
            {
                break;
            }

            var score = cosine;
            if (scorer is not null && space.Labels.TryGetValue(results[i].Label, out var scoredId) && _entries.TryGetValue(scoredId, out var scoredSlot))
            {
                score = scorer.Score(cosine, query.Fingerprint.LastUserText!, scoredSlot.Entry.Prompt);
            }

            scored[count++] = (score, i);
        }

        scored = scored[..count];
        scored.Sort(static (x, y) => y.Score.CompareTo(x.Score));
        var best = 0f;
        string? rejected = null;
        foreach (var (score, index) in scored)
        {
            var result = results[index];
            if (score < query.Threshold)
            {
                best = Math.Max(best, score);
                break;
            }

            if (!space.Labels.TryGetValue(result.Label, out var candidateId) || !_entries.TryGetValue(candidateId, out var candidate))
            {
                continue;
            }

            if (candidate.Entry.IsExpired(now))
            {
                Expire(candidate.Entry);
                continue;
            }

            best = Math.Max(best, score);
            if (candidate.Entry.ContextHash != query.Fingerprint.ContextHash)
            {
                rejected ??= "different conversation or parameters";
                continue;
            }

            if (query.Guard && !MeaningGuard.Compatible(query.Fingerprint.LastUserText!, candidate.Entry.Prompt, out var reason))
            {
                Interlocked.Increment(ref _guardRejections);
                rejected ??= "meaning guard: " + reason;
                continue;
            }

            Interlocked.Increment(ref _semanticHits);
            return Hit(candidate, CacheHitKind.Semantic, score);
        }

        Interlocked.Increment(ref _misses);
        return CacheLookup.Miss(best, rejected);
    }

    /// <summary>Stores <paramref name="entry"/> (replacing one with the same exact key), evicting the least recently used over the cap.</summary>
    public void Add(CacheEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Embedding.Length != 0 && entry.Embedding.Length != _options.Dimensions)
        {
            throw new ArgumentException($"The entry's embedding has {entry.Embedding.Length} dimensions; the cache stores {_options.Dimensions}.", nameof(entry));
        }

        lock (_writeGate)
        {
            if (_exact.TryGetValue(new ExactKey(entry.Tenant, entry.Route, entry.ExactHash), out var previous))
            {
                RemoveLocked(previous);
            }

            Insert(entry);
            _store.Upsert(entry);
            EvictOverCapLocked();
        }
    }

    /// <summary>Removes every entry <paramref name="selector"/> selects; returns how many.</summary>
    public int Invalidate(CacheSelector selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        lock (_writeGate)
        {
            var selected = selector.Id is { } id
                ? (_entries.ContainsKey(id) ? [id] : [])
                : _entries.Values.Where(s => selector.Matches(s.Entry)).Select(s => s.Entry.Id).ToList();
            foreach (var entry in selected)
            {
                RemoveLocked(entry);
            }

            return selected.Count;
        }
    }

    /// <summary>Drops every entry whose lifetime has ended; returns how many.</summary>
    public int RemoveExpired()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var expired = _entries.Values.Where(s => s.Entry.IsExpired(now)).Select(s => s.Entry).ToList();
        foreach (var entry in expired)
        {
            Expire(entry);
        }

        return expired.Count;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var space in _namespaces.Values)
        {
            space.Index.Dispose();
        }

        _store.Dispose();
    }

    private CacheLookup Hit(Slot slot, CacheHitKind kind, float similarity)
    {
        Interlocked.Increment(ref _hits);
        lock (_writeGate)
        {
            if (slot.Node.List is not null)
            {
                _recency.Remove(slot.Node);
                _recency.AddFirst(slot.Node);
            }
        }

        return new CacheLookup(kind, slot.Entry, similarity, null);
    }

    private void Expire(CacheEntry entry)
    {
        lock (_writeGate)
        {
            if (_entries.ContainsKey(entry.Id))
            {
                RemoveLocked(entry.Id);
                Interlocked.Increment(ref _expirations);
            }
        }
    }

    /// <summary>Drops the least recently used entries until the cap holds; returns how many. Caller holds the write lock.</summary>
    private int EvictOverCapLocked()
    {
        var evicted = 0;
        while (_entries.Count > _options.MaxEntries && _recency.Last is { } oldest)
        {
            RemoveLocked(oldest.Value);
            Interlocked.Increment(ref _evictions);
            evicted++;
        }

        return evicted;
    }

    /// <summary>Adds to the in-memory maps and index. Caller holds the write lock.</summary>
    private void Insert(CacheEntry entry)
    {
        var label = (ulong)Interlocked.Increment(ref _nextLabel);
        var node = _recency.AddFirst(entry.Id);
        _entries[entry.Id] = new Slot(entry, label, node);
        _exact[new ExactKey(entry.Tenant, entry.Route, entry.ExactHash)] = entry.Id;
        if (entry.Embedding.Length > 0)
        {
            var space = _namespaces.GetOrAdd(new NamespaceKey(entry.Tenant, entry.Route), _ => new Namespace(new HnswIndex(new HnswOptions
            {
                Dimension = _options.Dimensions,
                M = _options.M,
                EfConstruction = _options.EfConstruction,
                Ef = _options.Ef,
            })));
            space.Labels[label] = entry.Id;
            space.Index.Add(label, entry.Embedding);
        }
    }

    /// <summary>Removes from memory, index and store. Caller holds the write lock.</summary>
    private void RemoveLocked(Guid id)
    {
        if (!_entries.TryRemove(id, out var slot))
        {
            return;
        }

        var entry = slot.Entry;
        _recency.Remove(slot.Node);
        _exact.TryRemove(new KeyValuePair<ExactKey, Guid>(new ExactKey(entry.Tenant, entry.Route, entry.ExactHash), id));
        if (entry.Embedding.Length > 0 && _namespaces.TryGetValue(new NamespaceKey(entry.Tenant, entry.Route), out var space))
        {
            space.Index.Remove(slot.Label);
            space.Labels.TryRemove(slot.Label, out _);
        }

        _store.Delete(id);
    }

    private readonly record struct ExactKey(string Tenant, string Route, UInt128 Hash);

    private readonly record struct NamespaceKey(string Tenant, string Route);

    private sealed record Slot(CacheEntry Entry, ulong Label, LinkedListNode<Guid> Node);

    private sealed record Namespace(HnswIndex Index)
    {
        public ConcurrentDictionary<ulong, Guid> Labels { get; } = new();
    }
}
