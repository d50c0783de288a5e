namespace EdgeRouter.Configuration;

/// <summary>
/// The semantic response cache shared by every route's <c>cache</c> stage: where it persists, how big it grows, how
/// long entries live, which encoder embeds prompts and the admin API's token. Applies at startup.
/// </summary>
public sealed record CacheConfig
{
    /// <summary>Folder of the durable store (FASTER); relative to the config file. Null keeps the cache in memory only.</summary>
    public string? Directory { get; set; }

    /// <summary>How often writes are made durable (group commit), in milliseconds; a crash loses at most this much.</summary>
    public int CommitIntervalMs { get; set; } = 1_000;

    /// <summary>Most entries kept over all tenants; the least recently used go first.</summary>
    public int MaxEntries { get; set; } = 100_000;

    /// <summary>Lifetime of an entry unless a stage sets another, in seconds (default 24 h).</summary>
    public int DefaultTtlSeconds { get; set; } = 86_400;

    /// <summary>Encoder (under <c>inference.encoders</c>) that embeds prompts; null means exact matching only.</summary>
    public string? Encoder { get; set; }

    /// <summary>Nearest neighbours examined per semantic lookup.</summary>
    public int Candidates { get; set; } = 8;

    /// <summary>Vector index parameters.</summary>
    public CacheIndexConfig Index { get; set; } = new();

    /// <summary>Environment variable holding the bearer token of the cache admin API; null disables the API.</summary>
    public string? AdminTokenEnv { get; set; }
}

/// <summary>HNSW parameters of the cache's vector indexes.</summary>
public sealed record CacheIndexConfig
{
    /// <summary>Links per node.</summary>
    public int M { get; set; } = 16;

    /// <summary>Candidate list while inserting.</summary>
    public int EfConstruction { get; set; } = 200;

    /// <summary>Candidate list while searching.</summary>
    public int Ef { get; set; } = 64;
}
