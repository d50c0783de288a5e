using EdgeRouter.Cache.Storage;
using FASTER.core;

namespace EdgeRouter.Cache.Tests.Storage;

public class FasterCacheStoreTests
{
    private static HashSet<Guid> Ids(FasterCacheStore store, out int damaged) => [.. store.ReadAll(out damaged).Select(e => e.Id)];

    [Fact]
    public void ANewDirectoryOpensAsAnEmptyNewStore()
    {
        using var temp = new TempDirectory();

        using var store = FasterCacheStore.Open(temp.Path("store"));

        Assert.Equal("new", store.Recovery);
        Assert.Empty(store.ReadAll(out var damaged));
        Assert.Equal(0, damaged);
    }

    [Fact]
    public async Task CommittedEntriesSurviveDisposeAndReopen()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path("store");
        var first = TestEntries.Entry(tenant: "a", embedding: TestEntries.Axis(0), tags: ["faq"]);
        var second = TestEntries.Entry(tenant: "b", json: """{"answer":2}""");
        using (var store = FasterCacheStore.Open(directory))
        {
            store.Upsert(first);
            store.Upsert(second);
            await store.CommitAsync();
        }

        using var reopened = FasterCacheStore.Open(directory);

        Assert.Equal("recovered", reopened.Recovery);
        var entries = reopened.ReadAll(out var damaged).ToDictionary(e => e.Id);
        Assert.Equal(0, damaged);
        Assert.Equal(2, entries.Count);
        Assert.Equal("a", entries[first.Id].Tenant);
        Assert.Equal(first.Embedding, entries[first.Id].Embedding);
        Assert.Equal(["faq"], entries[first.Id].Tags);
        Assert.Equal(second.Json, entries[second.Id].Json);
    }

    [Fact]
    public async Task ACommitCancelledAtShutdownLeavesItsWritesForTheLastCheckpoint()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path("store");
        var entry = TestEntries.Entry();
        using (var store = FasterCacheStore.Open(directory))
        {
            store.Upsert(entry);
            using var stopping = new CancellationTokenSource();
            await stopping.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.CommitAsync(stopping.Token).AsTask());
        }

        using var reopened = FasterCacheStore.Open(directory);

        Assert.Equal([entry.Id], Ids(reopened, out _));
    }

    [Fact]
    public async Task ConcurrentCommitsAndDisposeLoseNothing()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path("store");
        var written = new List<Guid>();
        using (var store = FasterCacheStore.Open(directory))
        {
            var commits = Task.Run(async () =>
            {
                for (var i = 0; i < 20; i++)
                {
                    await store.CommitAsync();
                }
            });
            for (var i = 0; i < 50; i++)
            {
                var entry = TestEntries.Entry();
                store.Upsert(entry);
                written.Add(entry.Id);
            }

            await commits;
        }

        using var reopened = FasterCacheStore.Open(directory);

        Assert.Equal(written.ToHashSet(), Ids(reopened, out var damaged));
        Assert.Equal(0, damaged);
    }

    [Fact]
    public void DisposeMakesUncommittedWritesDurable()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path("store");
        var entry = TestEntries.Entry();
        using (var store = FasterCacheStore.Open(directory))
        {
            store.Upsert(entry);
        }

        using var reopened = FasterCacheStore.Open(directory);

        Assert.Equal([entry.Id], Ids(reopened, out _));
    }

    [Fact]
    public async Task ACrashAfterACommitKeepsEverythingCommittedAndLosesOnlyLaterWrites()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path("store");
        var crashed = temp.Path("crashed");
        var committed = Enumerable.Range(0, 20).Select(i => TestEntries.Entry(prompt: $"question {i}")).ToList();
        var late = TestEntries.Entry(prompt: "written after the commit");
        using var store = FasterCacheStore.Open(directory);
        foreach (var entry in committed)
        {
            store.Upsert(entry);
        }

        await store.CommitAsync();
        store.Upsert(late);

        // The process dies here: the files are left as they are, the store is never disposed.
        TempDirectory.Copy(directory, crashed);
        using var recovered = FasterCacheStore.Open(crashed);

        Assert.Equal("recovered", recovered.Recovery);
        var ids = Ids(recovered, out var damaged);
        Assert.Equal(0, damaged);
        Assert.Equal(committed.Select(e => e.Id).Order(), ids.Order());
        Assert.DoesNotContain(late.Id, ids);
    }

    [Fact]
    public async Task ACrashedStoreKeepsWorkingAfterRecovery()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path("store");
        var crashed = temp.Path("crashed");
        var before = TestEntries.Entry();
        using (var store = FasterCacheStore.Open(directory))
        {
            store.Upsert(before);
            await store.CommitAsync();
            TempDirectory.Copy(directory, crashed);
        }

        var after = TestEntries.Entry();
        using (var recovered = FasterCacheStore.Open(crashed))
        {
            recovered.Upsert(after);
            await recovered.CommitAsync();
        }

        using var reopened = FasterCacheStore.Open(crashed);

        Assert.Equal(new[] { before.Id, after.Id }.Order(), Ids(reopened, out _).Order());
    }

    [Fact]
    public async Task DeletesPersistAcrossReopen()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path("store");
        var kept = TestEntries.Entry();
        var deleted = TestEntries.Entry();
        using (var store = FasterCacheStore.Open(directory))
        {
            store.Upsert(kept);
            store.Upsert(deleted);
            await store.CommitAsync();
            store.Delete(deleted.Id);
            await store.CommitAsync();
        }

        using var reopened = FasterCacheStore.Open(directory);

        Assert.Equal([kept.Id], Ids(reopened, out _));
    }

    [Fact]
    public async Task ADeleteBeforeACrashIsDurableOnceCommitted()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path("store");
        var crashed = temp.Path("crashed");
        var kept = TestEntries.Entry();
        var deleted = TestEntries.Entry();
        using var store = FasterCacheStore.Open(directory);
        store.Upsert(kept);
        store.Upsert(deleted);
        await store.CommitAsync();
        store.Delete(deleted.Id);
        await store.CommitAsync();

        TempDirectory.Copy(directory, crashed);
        using var recovered = FasterCacheStore.Open(crashed);

        Assert.Equal([kept.Id], Ids(recovered, out _));
    }

    [Fact]
    public async Task AnUpsertOfTheSameIdReplacesTheEntry()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path("store");
        var original = TestEntries.Entry(json: """{"v":1}""");
        var replacement = new CacheEntry
        {
            Id = original.Id,
            Tenant = original.Tenant,
            Route = original.Route,
            ExactHash = original.ExactHash,
            ContextHash = original.ContextHash,
            Prompt = original.Prompt,
            Embedding = original.Embedding,
            Json = """{"v":2}"""u8.ToArray(),
            Model = original.Model,
            CreatedUnixMs = original.CreatedUnixMs,
            TtlSeconds = original.TtlSeconds,
        };
        using (var store = FasterCacheStore.Open(directory))
        {
            store.Upsert(original);
            store.Upsert(replacement);
            await store.CommitAsync();
        }

        using var reopened = FasterCacheStore.Open(directory);

        var entry = Assert.Single(reopened.ReadAll(out _));
        Assert.Equal("""{"v":2}"""u8.ToArray(), entry.Json);
    }

    [Fact]
    public async Task AnEntryDeletedAfterAReopenStaysDeleted()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path("store");
        var kept = TestEntries.Entry();
        var deleted = TestEntries.Entry();
        using (var store = FasterCacheStore.Open(directory))
        {
            store.Upsert(kept);
            store.Upsert(deleted);
        }

        using (var store = FasterCacheStore.Open(directory))
        {
            Assert.Equal(2, store.ReadAll(out _).Count);
            store.Delete(deleted.Id);
            Assert.Equal([kept.Id], Ids(store, out _));
            await store.CommitAsync();
        }

        using var reopened = FasterCacheStore.Open(directory);

        Assert.Equal([kept.Id], Ids(reopened, out _));
    }

    [Fact]
    public void ACrashBeforeTheFirstCommitOpensAnEmptyStoreInPlace()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path("store");
        var crashed = temp.Path("crashed");
        using var store = FasterCacheStore.Open(directory);
        store.Upsert(TestEntries.Entry());

        TempDirectory.Copy(directory, crashed);
        using var recovered = FasterCacheStore.Open(crashed);

        Assert.Empty(recovered.ReadAll(out _));
        Assert.Empty(Directory.GetDirectories(temp.Root, "*.unreadable-*"));
        var entry = TestEntries.Entry();
        recovered.Upsert(entry);
        Assert.Equal([entry.Id], Ids(recovered, out _));
    }

    [Fact]
    public async Task DamagedRecordsAreSkippedAndCounted()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path("store");
        var good = TestEntries.Entry();
        await WriteRawAsync(directory, (good.Id.ToByteArray(), Encode(good)), (Guid.NewGuid().ToByteArray(), [1, 2, 3]), ([9, 9, 9], Encode(TestEntries.Entry())));

        using var store = FasterCacheStore.Open(directory);

        Assert.Equal([good.Id], Ids(store, out var damaged));
        Assert.Equal(2, damaged);
    }

    [Fact]
    public async Task ADamagedRecordReplacedByAGoodOneIsNotCounted()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path("store");
        var good = TestEntries.Entry();
        await WriteRawAsync(directory, (good.Id.ToByteArray(), [0xFF]), (good.Id.ToByteArray(), Encode(good)));

        using var store = FasterCacheStore.Open(directory);

        Assert.Equal([good.Id], Ids(store, out var damaged));
        Assert.Equal(0, damaged);
    }

    private static byte[] Encode(CacheEntry entry)
    {
        var bytes = new byte[CacheEntryCodec.Size(entry)];
        CacheEntryCodec.Write(entry, bytes);
        return bytes;
    }

    /// <summary>Writes raw records with the store's FASTER settings and checkpoints them, as a damaged disk might leave them.</summary>
    private static async Task WriteRawAsync(string directory, params (byte[] Key, byte[] Value)[] records)
    {
        using (var settings = new FasterKVSettings<SpanByte, SpanByte>(directory, deleteDirOnDispose: false)
        {
            MemorySize = 1L << 26,
            PageSize = 1L << 20,
            SegmentSize = 1L << 28,
            IndexSize = 1L << 20,
        })
        using (var store = new FasterKV<SpanByte, SpanByte>(settings))
        {
            using (var session = store.NewSession(new SpanByteFunctions<Empty>()))
            {
                foreach (var (key, value) in records)
                {
                    Upsert(session, key, value);
                }
            }

            await store.TakeHybridLogCheckpointAsync(CheckpointType.FoldOver);
        }

        static void Upsert(ClientSession<SpanByte, SpanByte, SpanByte, SpanByteAndMemory, Empty, IFunctions<SpanByte, SpanByte, SpanByte, SpanByteAndMemory, Empty>> session,
            byte[] key, byte[] value)
        {
            Span<byte> keyBytes = stackalloc byte[key.Length];
            Span<byte> valueBytes = stackalloc byte[value.Length];
            key.CopyTo(keyBytes);
            value.CopyTo(valueBytes);
            var keySpan = SpanByte.FromFixedSpan(keyBytes);
            var valueSpan = SpanByte.FromFixedSpan(valueBytes);
            session.Upsert(ref keySpan, ref valueSpan);
        }
    }

    [Fact]
    public void AnUnreadableStoreIsMovedAsideAndAnEmptyStoreOpens()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path("store");
        Directory.CreateDirectory(Path.Combine(directory, "checkpoints", "cpr-checkpoints", Guid.NewGuid().ToString()));
        Directory.CreateDirectory(Path.Combine(directory, "checkpoints", "index-checkpoints", Guid.NewGuid().ToString()));
        foreach (var folder in Directory.EnumerateDirectories(Path.Combine(directory, "checkpoints"), "*", SearchOption.AllDirectories))
        {
            File.WriteAllBytes(Path.Combine(folder, "info.dat"), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        }

        File.WriteAllText(Path.Combine(directory, "hlog.log.0"), "not a log");

        using var store = FasterCacheStore.Open(directory);

        Assert.StartsWith("previous store unreadable", store.Recovery, StringComparison.Ordinal);
        var aside = Assert.Single(Directory.GetDirectories(temp.Root, "store.unreadable-*"));
        Assert.Contains(aside, store.Recovery, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(aside, "hlog.log.0")));
        Assert.Empty(store.ReadAll(out _));
        var entry = TestEntries.Entry();
        store.Upsert(entry);
        Assert.Equal([entry.Id], Ids(store, out _));
    }
}
