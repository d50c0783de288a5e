using EdgeRouter.Cache.Storage;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRouter.Cache.Tests;

public sealed class SemanticCacheTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly MemoryCacheStore _store = new();
    private readonly List<SemanticCache> _caches = [];

    public void Dispose()
    {
        foreach (var cache in _caches)
        {
            cache.Dispose();
        }
    }

    private SemanticCache Cache(int maxEntries = 100, ICacheStore? store = null)
    {
        var cache = new SemanticCache(new SemanticCacheOptions { Dimensions = TestEntries.Dimensions, MaxEntries = maxEntries }, store ?? _store, _time);
        _caches.Add(cache);
        return cache;
    }

    private static UInt128 NewHash() => new((ulong)Random.Shared.NextInt64(), (ulong)Random.Shared.NextInt64());

    /// <summary>The exact request of <paramref name="entry"/>, asked by <paramref name="tenant"/> on <paramref name="route"/>.</summary>
    private static CacheQuery Exact(CacheEntry entry, string? tenant = null, string? route = null, float[]? embedding = null) =>
        new(tenant ?? entry.Tenant, route ?? entry.Route, new RequestFingerprint(entry.ContextHash, entry.ExactHash, entry.Prompt, true),
            embedding ?? [], 0.9f);

    /// <summary>Another wording (so another exact hash) in the same conversation as <paramref name="entry"/>.</summary>
    private static CacheQuery Similar(CacheEntry entry, float[] embedding, string? text = null, string? tenant = null, string? route = null,
        float threshold = 0.9f, ulong? context = null, bool guard = true, bool semanticAllowed = true) =>
        new(tenant ?? entry.Tenant, route ?? entry.Route, new RequestFingerprint(context ?? entry.ContextHash, NewHash(), text ?? entry.Prompt, semanticAllowed),
            embedding, threshold, guard);

    [Fact]
    public void TheSameRequestIsAnExactHit()
    {
        var cache = Cache();
        var entry = TestEntries.Entry();
        cache.Add(entry);

        var lookup = cache.Lookup(Exact(entry));

        Assert.Equal(CacheHitKind.Exact, lookup.Kind);
        Assert.Same(entry, lookup.Entry);
        Assert.Equal(1f, lookup.Similarity);
        Assert.Equal(new CacheStats(1, 1, 0, 0, 0, 0, 0), cache.Stats);
    }

    [Fact]
    public void AnotherRequestWithoutAnEmbeddingIsAMiss()
    {
        var cache = Cache();
        var entry = TestEntries.Entry(embedding: TestEntries.Axis(0));
        cache.Add(entry);

        var lookup = cache.Lookup(Similar(entry, []));

        Assert.Equal(CacheHitKind.Miss, lookup.Kind);
        Assert.Null(lookup.Entry);
        Assert.Equal(1, cache.Stats.Misses);
    }

    [Fact]
    public void AQuestionAboveTheThresholdIsASemanticHit()
    {
        var cache = Cache();
        var entry = TestEntries.Entry(embedding: TestEntries.Axis(0));
        cache.Add(entry);

        var lookup = cache.Lookup(Similar(entry, TestEntries.AtCosine(0, 0.95f, 1), text: "how can I reset my password", threshold: 0.9f));

        Assert.Equal(CacheHitKind.Semantic, lookup.Kind);
        Assert.Same(entry, lookup.Entry);
        Assert.Equal(0.95f, lookup.Similarity, 1e-4f);
        Assert.Null(lookup.Rejected);
        Assert.Equal(new CacheStats(1, 1, 1, 0, 0, 0, 0), cache.Stats);
    }

    [Fact]
    public void ACalibratedSimilarityDecidesInsteadOfTheCosine()
    {
        var cache = Cache();
        var near = TestEntries.Entry(embedding: TestEntries.Axis(0), prompt: "near in vectors, far in words");
        var far = TestEntries.Entry(embedding: TestEntries.AtCosine(0, 0.9f, 2), prompt: "how can I reset my password");
        cache.Add(near);
        cache.Add(far);
        // Scores the pair by its words: the second-nearest vector has the query's exact words and wins.
        var bySurface = new WordsOnly(weight: 0.5f);

        var query = Similar(near, TestEntries.AtCosine(0, 0.97f, 1), text: "how can I reset my password", threshold: 0.9f) with { Similarity = bySurface };
        var lookup = cache.Lookup(query);
        var strict = cache.Lookup(query with { Threshold = 0.99f });

        Assert.Equal(CacheHitKind.Semantic, lookup.Kind);
        Assert.Same(far, lookup.Entry);
        Assert.Equal(bySurface.Score(0.97f * 0.9f, "", ""), lookup.Similarity, 0.02f);
        Assert.Equal(CacheHitKind.Miss, strict.Kind);
    }

    /// <summary>w · cosine + (1 − w) · (1 when the texts are equal ignoring case, else 0).</summary>
    private sealed class WordsOnly(float weight) : EdgeRouter.Pipeline.ITextSimilarity
    {
        public float Score(float cosine, string a, string b) =>
            (weight * cosine) + ((1 - weight) * (string.Equals(a, b, StringComparison.OrdinalIgnoreCase) ? 1 : 0));

        public float UpperBound(float cosine) => (weight * cosine) + (1 - weight);
    }

    [Fact]
    public void AQuestionBelowTheThresholdIsAMiss()
    {
        var cache = Cache();
        var entry = TestEntries.Entry(embedding: TestEntries.Axis(0));
        cache.Add(entry);

        var lookup = cache.Lookup(Similar(entry, TestEntries.AtCosine(0, 0.85f, 1), threshold: 0.9f));

        Assert.Equal(CacheHitKind.Miss, lookup.Kind);
        Assert.Null(lookup.Entry);
        Assert.Null(lookup.Rejected);
        Assert.Equal(new CacheStats(1, 0, 0, 1, 0, 0, 0), cache.Stats);
    }

    [Fact]
    public void TheThresholdIsTheQuerysOwn()
    {
        var cache = Cache();
        var entry = TestEntries.Entry(embedding: TestEntries.Axis(0));
        cache.Add(entry);
        var embedding = TestEntries.AtCosine(0, 0.85f, 1);

        Assert.Equal(CacheHitKind.Miss, cache.Lookup(Similar(entry, embedding, threshold: 0.9f)).Kind);
        Assert.Equal(CacheHitKind.Semantic, cache.Lookup(Similar(entry, embedding, threshold: 0.8f)).Kind);
    }

    [Fact]
    public void TheClosestQuestionIsServed()
    {
        var cache = Cache();
        var entries = Enumerable.Range(0, 4).Select(axis => TestEntries.Entry(embedding: TestEntries.Axis(axis))).ToList();
        foreach (var entry in entries)
        {
            cache.Add(entry);
        }

        var lookup = cache.Lookup(Similar(entries[2], TestEntries.AtCosine(2, 0.97f, 3), threshold: 0.5f));

        Assert.Same(entries[2], lookup.Entry);
        Assert.Equal(0.97f, lookup.Similarity, 1e-4f);
    }

    [Fact]
    public void AQuestionFromAnotherConversationIsNotServed()
    {
        var cache = Cache();
        var entry = TestEntries.Entry(embedding: TestEntries.Axis(0), context: 1);
        cache.Add(entry);

        var lookup = cache.Lookup(Similar(entry, TestEntries.AtCosine(0, 0.95f, 1), context: 2));

        Assert.Equal(CacheHitKind.Miss, lookup.Kind);
        Assert.Equal("different conversation or parameters", lookup.Rejected);
        Assert.Equal(0.95f, lookup.Similarity, 1e-4f);
    }

    [Fact]
    public void TheMeaningGuardTurnsDownAnOppositeQuestion()
    {
        var cache = Cache();
        var entry = TestEntries.Entry(prompt: "how do I enable 2fa", embedding: TestEntries.Axis(0));
        cache.Add(entry);

        var lookup = cache.Lookup(Similar(entry, TestEntries.AtCosine(0, 0.99f, 1), text: "how do I disable 2fa"));

        Assert.Equal(CacheHitKind.Miss, lookup.Kind);
        Assert.StartsWith("meaning guard: opposite words", lookup.Rejected, StringComparison.Ordinal);
        Assert.Equal(new CacheStats(1, 0, 0, 1, 1, 0, 0), cache.Stats);
    }

    [Fact]
    public void WithoutTheGuardAnOppositeQuestionIsServed()
    {
        var cache = Cache();
        var entry = TestEntries.Entry(prompt: "how do I enable 2fa", embedding: TestEntries.Axis(0));
        cache.Add(entry);

        var lookup = cache.Lookup(Similar(entry, TestEntries.AtCosine(0, 0.99f, 1), text: "how do I disable 2fa", guard: false));

        Assert.Equal(CacheHitKind.Semantic, lookup.Kind);
        Assert.Equal(0, cache.Stats.GuardRejections);
    }

    [Fact]
    public void AFartherCandidateIsServedWhenTheNearestFailsTheGuard()
    {
        var cache = Cache();
        var enable = TestEntries.Entry(prompt: "how do I enable 2fa", embedding: TestEntries.Axis(0));
        var disable = TestEntries.Entry(prompt: "how to disable 2fa", embedding: TestEntries.AtCosine(0, 0.95f, 1));
        cache.Add(enable);
        cache.Add(disable);

        var lookup = cache.Lookup(Similar(enable, TestEntries.Axis(0), text: "how do I disable 2fa"));

        Assert.Equal(CacheHitKind.Semantic, lookup.Kind);
        Assert.Same(disable, lookup.Entry);
        Assert.Equal(0.95f, lookup.Similarity, 1e-4f);
        Assert.Equal(1, cache.Stats.GuardRejections);
    }

    [Fact]
    public void ARequestThatForbidsSemanticLookupOnlyHitsExactly()
    {
        var cache = Cache();
        var entry = TestEntries.Entry(embedding: TestEntries.Axis(0));
        cache.Add(entry);

        var lookup = cache.Lookup(Similar(entry, TestEntries.Axis(0), semanticAllowed: false));

        Assert.Equal(CacheHitKind.Miss, lookup.Kind);
    }

    [Fact]
    public void AnEntryIsNeverServedToAnotherTenant()
    {
        var cache = Cache();
        var entry = TestEntries.Entry(tenant: "a", embedding: TestEntries.Axis(0));
        cache.Add(entry);

        Assert.Equal(CacheHitKind.Miss, cache.Lookup(Exact(entry, tenant: "b")).Kind);
        Assert.Equal(CacheHitKind.Miss, cache.Lookup(Exact(entry, tenant: "b", embedding: TestEntries.Axis(0))).Kind);
        Assert.Equal(CacheHitKind.Miss, cache.Lookup(Similar(entry, TestEntries.Axis(0), tenant: "b", threshold: 0.1f)).Kind);
        Assert.Equal(CacheHitKind.Exact, cache.Lookup(Exact(entry, tenant: "a")).Kind);
        Assert.Equal(CacheHitKind.Semantic, cache.Lookup(Similar(entry, TestEntries.Axis(0), tenant: "a")).Kind);
    }

    [Fact]
    public void TwoTenantsAskingTheSameQuestionEachGetTheirOwnAnswer()
    {
        var cache = Cache();
        var hash = NewHash();
        var forA = TestEntries.Entry(tenant: "a", exact: hash, embedding: TestEntries.Axis(0), json: """{"for":"a"}""");
        var forB = TestEntries.Entry(tenant: "b", exact: hash, embedding: TestEntries.Axis(0), json: """{"for":"b"}""");
        cache.Add(forA);
        cache.Add(forB);

        Assert.Same(forA, cache.Lookup(Exact(forA)).Entry);
        Assert.Same(forB, cache.Lookup(Exact(forB)).Entry);
        Assert.Same(forA, cache.Lookup(Similar(forA, TestEntries.AtCosine(0, 0.95f, 1))).Entry);
        Assert.Same(forB, cache.Lookup(Similar(forB, TestEntries.AtCosine(0, 0.95f, 1))).Entry);
        Assert.Equal(2, cache.Stats.Entries);
    }

    [Fact]
    public void InvalidatingOneTenantLeavesTheOtherIsolatedAndIntact()
    {
        var cache = Cache();
        var hash = NewHash();
        var forA = TestEntries.Entry(tenant: "a", exact: hash, embedding: TestEntries.Axis(0));
        var forB = TestEntries.Entry(tenant: "b", exact: hash, embedding: TestEntries.Axis(0));
        cache.Add(forA);
        cache.Add(forB);

        Assert.Equal(1, cache.Invalidate(new CacheSelector { Tenant = "a" }));

        Assert.Equal(CacheHitKind.Miss, cache.Lookup(Exact(forA, embedding: TestEntries.Axis(0))).Kind);
        Assert.Equal(CacheHitKind.Miss, cache.Lookup(Similar(forA, TestEntries.Axis(0), threshold: 0.1f)).Kind);
        Assert.Same(forB, cache.Lookup(Exact(forB)).Entry);
        Assert.Same(forB, cache.Lookup(Similar(forB, TestEntries.Axis(0))).Entry);
        Assert.Equal([forB.Id], _store.Ids);
    }

    [Fact]
    public void TenantsStayIsolatedAfterAReloadFromTheStore()
    {
        var first = Cache();
        var a1 = TestEntries.Entry(tenant: "a", embedding: TestEntries.Axis(0));
        var a2 = TestEntries.Entry(tenant: "a", embedding: TestEntries.Axis(1));
        var b1 = TestEntries.Entry(tenant: "b", embedding: TestEntries.Axis(2));
        first.Add(a1);
        first.Add(a2);
        first.Add(b1);
        first.Invalidate(new CacheSelector { Id = a2.Id });

        var reloaded = Cache();
        Assert.Equal((2, 0), reloaded.Load());

        Assert.Equal(a1.Id, reloaded.Lookup(Exact(a1)).Entry?.Id);
        Assert.Equal(CacheHitKind.Miss, reloaded.Lookup(Exact(a1, tenant: "b", embedding: TestEntries.Axis(0))).Kind);
        Assert.Equal(CacheHitKind.Miss, reloaded.Lookup(Similar(b1, TestEntries.Axis(2), tenant: "a", threshold: 0.1f)).Kind);
        Assert.Equal(CacheHitKind.Miss, reloaded.Lookup(Exact(a2)).Kind);
        Assert.Equal(CacheHitKind.Miss, reloaded.Lookup(Similar(a2, TestEntries.Axis(1), threshold: 0.99f)).Kind);
        Assert.Equal(b1.Id, reloaded.Lookup(Similar(b1, TestEntries.Axis(2))).Entry?.Id);
    }

    [Fact]
    public void AnEntryIsNeverServedOnAnotherRoute()
    {
        var cache = Cache();
        var entry = TestEntries.Entry(route: "support", embedding: TestEntries.Axis(0));
        cache.Add(entry);

        Assert.Equal(CacheHitKind.Miss, cache.Lookup(Exact(entry, route: "sales", embedding: TestEntries.Axis(0))).Kind);
        Assert.Equal(CacheHitKind.Miss, cache.Lookup(Similar(entry, TestEntries.Axis(0), route: "sales", threshold: 0.1f)).Kind);
        Assert.Equal(CacheHitKind.Exact, cache.Lookup(Exact(entry, route: "support")).Kind);
    }

    [Fact]
    public void AnEntryExpiresAtTheEndOfItsLifetime()
    {
        var cache = Cache();
        var entry = TestEntries.Entry(ttlSeconds: 60, created: _time.GetUtcNow().ToUnixTimeMilliseconds());
        cache.Add(entry);

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(CacheHitKind.Exact, cache.Lookup(Exact(entry)).Kind);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(CacheHitKind.Miss, cache.Lookup(Exact(entry)).Kind);

        Assert.Equal(new CacheStats(0, 1, 0, 1, 0, 0, 1), cache.Stats);
        Assert.Empty(_store.Ids);
    }

    [Fact]
    public void AnExpiredEntryIsNotASemanticHit()
    {
        var cache = Cache();
        var entry = TestEntries.Entry(ttlSeconds: 10, embedding: TestEntries.Axis(0), created: _time.GetUtcNow().ToUnixTimeMilliseconds());
        cache.Add(entry);

        _time.Advance(TimeSpan.FromSeconds(10));
        var lookup = cache.Lookup(Similar(entry, TestEntries.Axis(0)));

        Assert.Equal(CacheHitKind.Miss, lookup.Kind);
        Assert.Equal(1, cache.Stats.Expirations);
        Assert.Equal(0, cache.Stats.Entries);
    }

    [Fact]
    public void RemoveExpiredDropsOnlyEntriesPastTheirLifetime()
    {
        var cache = Cache();
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var shortLived = TestEntries.Entry(ttlSeconds: 10, created: now);
        var longLived = TestEntries.Entry(ttlSeconds: 100, created: now);
        cache.Add(shortLived);
        cache.Add(longLived);

        _time.Advance(TimeSpan.FromSeconds(50));

        Assert.Equal(1, cache.RemoveExpired());
        Assert.Equal(1, cache.Stats.Expirations);
        Assert.Equal([longLived.Id], _store.Ids);
        Assert.Equal(CacheHitKind.Exact, cache.Lookup(Exact(longLived)).Kind);
    }

    [Fact]
    public void LoadDropsExpiredEntriesAndEntriesOfAnotherDimension()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var live = TestEntries.Entry(ttlSeconds: 100, created: now, embedding: TestEntries.Axis(0));
        var expired = TestEntries.Entry(ttlSeconds: 100, created: now - 200_000);
        var wrongSize = TestEntries.Entry(created: now, embedding: [1f, 0f, 0f]);
        _store.Upsert(live);
        _store.Upsert(expired);
        _store.Upsert(wrongSize);

        var cache = Cache();

        Assert.Equal((1, 0), cache.Load());
        Assert.Equal([live.Id], _store.Ids);
        Assert.Equal(CacheHitKind.Semantic, cache.Lookup(Similar(live, TestEntries.Axis(0))).Kind);
    }

    [Fact]
    public void LoadKeepsOnlyTheNewestEntriesWhenTheStoreHoldsMoreThanTheCap()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var entries = Enumerable.Range(0, 5).Select(i => TestEntries.Entry(created: now - ((5 - i) * 1000L))).ToList();
        foreach (var entry in entries)
        {
            _store.Upsert(entry);
        }

        var cache = Cache(maxEntries: 3);

        Assert.Equal((3, 0), cache.Load());
        Assert.Equal(3, cache.Stats.Entries);
        Assert.Equal(entries.Skip(2).Select(e => e.Id).Order(), _store.Ids.Order());
        Assert.Equal(CacheHitKind.Miss, cache.Lookup(Exact(entries[1])).Kind);
        Assert.Equal(CacheHitKind.Exact, cache.Lookup(Exact(entries[2])).Kind);
    }

    [Fact]
    public void TheLeastRecentlyUsedEntryIsEvictedAtTheCap()
    {
        var cache = Cache(maxEntries: 3);
        var a = TestEntries.Entry(embedding: TestEntries.Axis(0));
        var b = TestEntries.Entry(embedding: TestEntries.Axis(1));
        var c = TestEntries.Entry(embedding: TestEntries.Axis(2));
        cache.Add(a);
        cache.Add(b);
        cache.Add(c);

        // a is the oldest write but was just used; b is now the least recently used.
        Assert.Equal(CacheHitKind.Exact, cache.Lookup(Exact(a)).Kind);
        var d = TestEntries.Entry(embedding: TestEntries.Axis(3));
        cache.Add(d);

        Assert.Equal(CacheHitKind.Miss, cache.Lookup(Exact(b)).Kind);
        Assert.Equal(CacheHitKind.Miss, cache.Lookup(Similar(b, TestEntries.Axis(1), threshold: 0.99f)).Kind);
        Assert.Equal(new[] { a.Id, c.Id, d.Id }.Order(), _store.Ids.Order());
        Assert.Equal(1, cache.Stats.Evictions);
        Assert.Equal(3, cache.Stats.Entries);

        // A semantic hit counts as a use too: c moves ahead of a, which goes next.
        Assert.Equal(CacheHitKind.Semantic, cache.Lookup(Similar(c, TestEntries.Axis(2))).Kind);
        cache.Add(TestEntries.Entry());

        Assert.Equal(CacheHitKind.Miss, cache.Lookup(Exact(a)).Kind);
        Assert.Equal(CacheHitKind.Exact, cache.Lookup(Exact(c)).Kind);
        Assert.Equal(CacheHitKind.Exact, cache.Lookup(Exact(d)).Kind);
        Assert.Equal(2, cache.Stats.Evictions);
    }

    [Fact]
    public void AddingTheSameRequestAgainReplacesTheEntry()
    {
        var cache = Cache();
        var hash = NewHash();
        var old = TestEntries.Entry(exact: hash, embedding: TestEntries.Axis(0), json: """{"v":1}""");
        var fresh = TestEntries.Entry(exact: hash, embedding: TestEntries.Axis(0), json: """{"v":2}""");
        cache.Add(old);
        cache.Add(fresh);

        Assert.Same(fresh, cache.Lookup(Exact(old)).Entry);
        Assert.Same(fresh, cache.Lookup(Similar(old, TestEntries.Axis(0))).Entry);
        Assert.Equal(1, cache.Stats.Entries);
        Assert.Equal([fresh.Id], _store.Ids);
    }

    [Fact]
    public void AnEmbeddingOfTheWrongLengthIsRefused()
    {
        var cache = Cache();

        Assert.Throws<ArgumentException>(() => cache.Add(TestEntries.Entry(embedding: [1f, 0f])));
        Assert.Equal(0, cache.Stats.Entries);
        Assert.Empty(_store.Ids);
    }

    [Fact]
    public void InvalidationSelectsByIdTagTenantRouteOrAll()
    {
        var cache = Cache();
        var acmeSupport = TestEntries.Entry(tenant: "acme", route: "support", embedding: TestEntries.Axis(0), tags: ["faq"]);
        var acmeSales = TestEntries.Entry(tenant: "acme", route: "sales", tags: ["faq", "pricing"]);
        var globexSupport = TestEntries.Entry(tenant: "globex", route: "support");
        var globexSales = TestEntries.Entry(tenant: "globex", route: "sales", embedding: TestEntries.Axis(1));
        var other = TestEntries.Entry(tenant: "initech", route: "other");
        foreach (var entry in new[] { acmeSupport, acmeSales, globexSupport, globexSales, other })
        {
            cache.Add(entry);
        }

        Assert.Equal(1, cache.Invalidate(new CacheSelector { Id = other.Id }));
        Assert.Equal(0, cache.Invalidate(new CacheSelector { Id = other.Id }));
        Assert.Equal(CacheHitKind.Miss, cache.Lookup(Exact(other)).Kind);

        Assert.Equal(1, cache.Invalidate(new CacheSelector { Tag = "pricing" }));
        Assert.Equal(CacheHitKind.Miss, cache.Lookup(Exact(acmeSales)).Kind);
        Assert.Equal(CacheHitKind.Exact, cache.Lookup(Exact(acmeSupport)).Kind);

        Assert.Equal(1, cache.Invalidate(new CacheSelector { Tenant = "globex", Route = "sales" }));
        Assert.Equal(CacheHitKind.Miss, cache.Lookup(Similar(globexSales, TestEntries.Axis(1))).Kind);
        Assert.Equal(CacheHitKind.Exact, cache.Lookup(Exact(globexSupport)).Kind);

        Assert.Equal(2, cache.Invalidate(new CacheSelector { Route = "support" }));
        Assert.Equal(CacheHitKind.Miss, cache.Lookup(Exact(acmeSupport)).Kind);
        Assert.Equal(CacheHitKind.Miss, cache.Lookup(Similar(acmeSupport, TestEntries.Axis(0), threshold: 0.1f)).Kind);
        Assert.Equal(0, cache.Stats.Entries);
        Assert.Empty(_store.Ids);
    }

    [Fact]
    public void InvalidatingATenantOrEverythingEmptiesTheStoreToo()
    {
        var cache = Cache();
        var a = TestEntries.Entry(tenant: "a");
        var b1 = TestEntries.Entry(tenant: "b", route: "x");
        var b2 = TestEntries.Entry(tenant: "b", route: "y");
        cache.Add(a);
        cache.Add(b1);
        cache.Add(b2);

        Assert.Equal(2, cache.Invalidate(new CacheSelector { Tenant = "b" }));
        Assert.Equal([a.Id], _store.Ids);

        Assert.Equal(1, cache.Invalidate(new CacheSelector { All = true }));
        Assert.Empty(_store.Ids);
        Assert.Equal(0, cache.Stats.Entries);
    }

    [Fact]
    public void AnEmptySelectorSelectsNothing()
    {
        var cache = Cache();
        cache.Add(TestEntries.Entry());

        Assert.Equal(0, cache.Invalidate(new CacheSelector()));
        Assert.Equal(1, cache.Stats.Entries);
    }

    [Fact]
    public void StatsCountEveryOutcome()
    {
        var cache = Cache(maxEntries: 2);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var enable = TestEntries.Entry(prompt: "how do I enable 2fa", embedding: TestEntries.Axis(0), created: now, ttlSeconds: 1000);
        var expiring = TestEntries.Entry(created: now, ttlSeconds: 5);
        cache.Add(enable);
        cache.Add(expiring);

        cache.Lookup(Exact(enable));                                                                 // exact hit
        cache.Lookup(Similar(enable, TestEntries.AtCosine(0, 0.95f, 1), text: "how can I enable 2fa")); // semantic hit
        cache.Lookup(Similar(enable, TestEntries.Axis(0), text: "how do I disable 2fa"));             // guard rejection, miss
        cache.Lookup(Similar(enable, TestEntries.Axis(5)));                                          // miss
        _time.Advance(TimeSpan.FromSeconds(5));
        cache.Lookup(Exact(expiring));                                                               // expiration, miss
        cache.Add(TestEntries.Entry(created: now));
        cache.Add(TestEntries.Entry(created: now));                                                  // eviction of enable

        Assert.Equal(new CacheStats(Entries: 2, Hits: 2, SemanticHits: 1, Misses: 3, GuardRejections: 1, Evictions: 1, Expirations: 1), cache.Stats);
    }

    [Fact]
    public async Task EntriesComeBackFromADurableStoreAndInvalidatedOnesStayGone()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path("store");
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var a = TestEntries.Entry(tenant: "a", embedding: TestEntries.Axis(0), created: now);
        var aGone = TestEntries.Entry(tenant: "a", embedding: TestEntries.Axis(1), created: now);
        var b = TestEntries.Entry(tenant: "b", embedding: TestEntries.Axis(0), created: now);
        using (var first = new SemanticCache(new SemanticCacheOptions { Dimensions = TestEntries.Dimensions }, FasterCacheStore.Open(directory), _time))
        {
            first.Add(a);
            first.Add(aGone);
            first.Add(b);
            await first.Store.CommitAsync();
            first.Invalidate(new CacheSelector { Id = aGone.Id });
            await first.Store.CommitAsync();
        }

        using var second = new SemanticCache(new SemanticCacheOptions { Dimensions = TestEntries.Dimensions }, FasterCacheStore.Open(directory), _time);

        Assert.Equal((2, 0), second.Load());
        Assert.Equal(a.Id, second.Lookup(Exact(a)).Entry?.Id);
        Assert.Equal(b.Id, second.Lookup(Similar(b, TestEntries.Axis(0))).Entry?.Id);
        Assert.Equal(a.Id, second.Lookup(Similar(a, TestEntries.Axis(0))).Entry?.Id);
        Assert.Equal(CacheHitKind.Miss, second.Lookup(Exact(aGone)).Kind);
        Assert.Equal(CacheHitKind.Miss, second.Lookup(Similar(aGone, TestEntries.Axis(1), threshold: 0.99f)).Kind);
    }
}
