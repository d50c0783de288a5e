using EdgeRouter.Cache.Storage;

namespace EdgeRouter.Cache.Tests.Storage;

public class NullCacheStoreTests
{
    [Fact]
    public async Task KeepsNothingSoACacheOverItReloadsNothing()
    {
        var entry = TestEntries.Entry();
        using (var cache = new SemanticCache(new SemanticCacheOptions { Dimensions = TestEntries.Dimensions }, new NullCacheStore(), TimeProvider.System))
        {
            cache.Add(entry);
            await cache.Store.CommitAsync();
            Assert.Equal(1, cache.Stats.Entries);
        }

        var store = new NullCacheStore();
        store.Upsert(entry);

        Assert.Empty(store.ReadAll(out var damaged));
        Assert.Equal(0, damaged);
        using var reloaded = new SemanticCache(new SemanticCacheOptions { Dimensions = TestEntries.Dimensions }, store, TimeProvider.System);
        Assert.Equal((0, 0), reloaded.Load());
    }
}
