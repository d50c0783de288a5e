using System.Collections.Concurrent;
using EdgeRouter.Cache.Storage;

namespace EdgeRouter.Cache.Tests;

/// <summary>A store double that keeps entries in a dictionary and survives the caches built over it.</summary>
internal sealed class MemoryCacheStore : ICacheStore
{
    private readonly ConcurrentDictionary<Guid, CacheEntry> _entries = new();

    public string Description => "test memory store";

    public IReadOnlyCollection<Guid> Ids => [.. _entries.Keys];

    public int Deletes { get; private set; }

    public IReadOnlyList<CacheEntry> ReadAll(out int damaged)
    {
        damaged = 0;
        return [.. _entries.Values];
    }

    public void Upsert(CacheEntry entry) => _entries[entry.Id] = entry;

    public void Delete(Guid id)
    {
        Deletes++;
        _entries.TryRemove(id, out _);
    }

    public ValueTask CommitAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public void Dispose()
    {
    }
}
