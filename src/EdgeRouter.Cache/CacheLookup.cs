using EdgeRouter.Pipeline;

namespace EdgeRouter.Cache;

/// <summary>How a lookup was answered.</summary>
public enum CacheHitKind : byte
{
    /// <summary>Nothing usable was cached.</summary>
    Miss,

    /// <summary>The same normalised request was cached.</summary>
    Exact,

    /// <summary>A close enough question in the same conversation was cached and passed the meaning guard.</summary>
    Semantic,
}

/// <summary>What the cache is asked: whose, where, and the request's fingerprint and embedding.</summary>
/// <param name="Tenant">The caller's tenant; only its entries are candidates.</param>
/// <param name="Route">The route; only its entries are candidates.</param>
/// <param name="Fingerprint">The request's hashes and last user message.</param>
/// <param name="Embedding">Unit-length embedding of the last user message; empty for an exact-only lookup.</param>
/// <param name="Threshold">Lowest similarity that may be served.</param>
/// <param name="Guard">Whether the meaning guard vets semantic candidates.</param>
/// <param name="Similarity">The encoder's calibrated pair similarity, when it has one; otherwise the cosine is the similarity.</param>
public readonly record struct CacheQuery(string Tenant, string Route, RequestFingerprint Fingerprint, ReadOnlyMemory<float> Embedding,
    float Threshold, bool Guard = true, ITextSimilarity? Similarity = null);

/// <summary>The outcome of a lookup, with what the trace and headers show.</summary>
/// <param name="Kind">Miss, exact or semantic.</param>
/// <param name="Entry">The entry served, on a hit.</param>
/// <param name="Similarity">Cosine similarity of the hit (1 for exact), or the best rejected candidate's on a miss.</param>
/// <param name="Rejected">Why the best candidate above the threshold was not served (meaning guard, other conversation), if one was.</param>
public readonly record struct CacheLookup(CacheHitKind Kind, CacheEntry? Entry, float Similarity, string? Rejected)
{
    /// <summary>Nothing found.</summary>
    public static CacheLookup Miss(float bestSimilarity = 0, string? rejected = null) => new(CacheHitKind.Miss, null, bestSimilarity, rejected);
}

/// <summary>Which entries an invalidation removes; exactly one criterion (or <see cref="All"/>) is set.</summary>
public sealed record CacheSelector
{
    /// <summary>One entry.</summary>
    public Guid? Id { get; init; }

    /// <summary>Entries carrying this tag.</summary>
    public string? Tag { get; init; }

    /// <summary>Entries of this tenant.</summary>
    public string? Tenant { get; init; }

    /// <summary>Entries of this route.</summary>
    public string? Route { get; init; }

    /// <summary>Every entry.</summary>
    public bool All { get; init; }

    /// <summary>True when <paramref name="entry"/> is selected.</summary>
    public bool Matches(CacheEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return All
            || (Id is { } id && entry.Id == id)
            || (Tag is { } tag && entry.Tags.Contains(tag))
            || (Tenant is { } tenant && entry.Tenant == tenant && (Route is null || entry.Route == Route))
            || (Route is { } route && Tenant is null && entry.Route == route);
    }
}

/// <summary>Counters of one cache.</summary>
/// <param name="Entries">Live entries.</param>
/// <param name="Hits">Exact and semantic hits served.</param>
/// <param name="SemanticHits">Semantic hits served.</param>
/// <param name="Misses">Lookups that found nothing usable.</param>
/// <param name="GuardRejections">Candidates above the threshold the meaning guard turned down.</param>
/// <param name="Evictions">Entries dropped to stay under the size cap.</param>
/// <param name="Expirations">Entries dropped when their lifetime ended.</param>
public readonly record struct CacheStats(int Entries, long Hits, long SemanticHits, long Misses, long GuardRejections, long Evictions, long Expirations);
