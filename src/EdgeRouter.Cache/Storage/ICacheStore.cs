namespace EdgeRouter.Cache.Storage;

/// <summary>
/// Durable home of cache entries. Writes are buffered and become durable at the next <see cref="CommitAsync"/>; after
/// a crash the store comes back as of its last commit. Implementations are thread-safe.
/// </summary>
public interface ICacheStore : IDisposable
{
    /// <summary>What the store is, for logs (e.g. <c>FASTER at data/cache</c>).</summary>
    string Description { get; }

    /// <summary>Reads every stored entry (at startup, to rebuild the in-memory indexes). Damaged records are skipped and counted.</summary>
    IReadOnlyList<CacheEntry> ReadAll(out int damaged);

    /// <summary>Stores or replaces an entry.</summary>
    void Upsert(CacheEntry entry);

    /// <summary>Removes an entry if present.</summary>
    void Delete(Guid id);

    /// <summary>Makes every write so far durable. Cheap when nothing changed.</summary>
    ValueTask CommitAsync(CancellationToken cancellationToken = default);
}

/// <summary>A store that keeps nothing: the cache lives in memory only.</summary>
public sealed class NullCacheStore : ICacheStore
{
    /// <inheritdoc />
    public string Description => "memory only (no persistence)";

    /// <inheritdoc />
    public IReadOnlyList<CacheEntry> ReadAll(out int damaged)
    {
        damaged = 0;
        return [];
    }

    /// <inheritdoc />
    public void Upsert(CacheEntry entry)
    {
    }

    /// <inheritdoc />
    public void Delete(Guid id)
    {
    }

    /// <inheritdoc />
    public ValueTask CommitAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
