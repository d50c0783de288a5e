using EdgeRouter.Cache.Storage;

namespace EdgeRouter.Cache.Tests.Storage;

public class WriteBehindStoreTests
{
    /// <summary>An inner store that records writes and can be held up, like a store in the middle of a checkpoint.</summary>
    private sealed class SlowStore : ICacheStore
    {
        private readonly List<string> _log = [];

        public ManualResetEventSlim Open { get; } = new(true);

        public Func<Guid, bool> Fails { get; set; } = _ => false;

        public IReadOnlyList<string> Log
        {
            get
            {
                lock (_log)
                {
                    return [.. _log];
                }
            }
        }

        public string Description => "slow";

        public IReadOnlyList<CacheEntry> ReadAll(out int damaged)
        {
            damaged = 0;
            return [];
        }

        public void Upsert(CacheEntry entry) => Record($"upsert {entry.Prompt}", entry.Id);

        public void Delete(Guid id) => Record("delete", id);

        public ValueTask CommitAsync(CancellationToken cancellationToken = default)
        {
            Record("commit", Guid.Empty);
            return ValueTask.CompletedTask;
        }

        public void Dispose() => Record("dispose", Guid.Empty);

        private void Record(string what, Guid id)
        {
            Open.Wait(TimeSpan.FromSeconds(10));
            if (Fails(id))
            {
                throw new IOException("disk full");
            }

            lock (_log)
            {
                _log.Add(what);
            }
        }
    }

    [Fact]
    public void WritesReturnAtOnceWhileTheStoreIsHeldUp()
    {
        var inner = new SlowStore();
        using var store = new WriteBehindStore(inner);
        inner.Open.Reset();

        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 100; i++)
        {
            store.Upsert(TestEntries.Entry(prompt: $"p{i}"));
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"writers waited {watch.Elapsed}");
        Assert.Empty(inner.Log);
        inner.Open.Set();
    }

    [Fact]
    public async Task ACommitCoversEveryWriteQueuedBeforeItInOrder()
    {
        var inner = new SlowStore();
        using var store = new WriteBehindStore(inner);
        inner.Open.Reset();
        var entry = TestEntries.Entry(prompt: "a");
        store.Upsert(entry);
        store.Delete(entry.Id);
        store.Upsert(TestEntries.Entry(prompt: "b"));

        var commit = store.CommitAsync().AsTask();
        await Task.Delay(50);
        Assert.False(commit.IsCompleted);
        inner.Open.Set();
        await commit;

        Assert.Equal(["upsert a", "delete", "upsert b", "commit"], inner.Log);
        Assert.Equal(0, store.Pending);
    }

    [Fact]
    public void DisposeAppliesWhatIsQueuedBeforeDisposingTheStore()
    {
        var inner = new SlowStore();
        var store = new WriteBehindStore(inner);
        inner.Open.Reset();
        store.Upsert(TestEntries.Entry(prompt: "last"));
        _ = Task.Run(async () =>
        {
            await Task.Delay(50);
            inner.Open.Set();
        });

        store.Dispose();

        Assert.Equal(["upsert last", "dispose"], inner.Log);
        Assert.Throws<ObjectDisposedException>(() => store.Upsert(TestEntries.Entry(prompt: "late")));
    }

    [Fact]
    public async Task ARejectedWriteIsReportedAndLaterWritesStillApply()
    {
        var inner = new SlowStore();
        var bad = TestEntries.Entry(prompt: "bad");
        inner.Fails = id => id == bad.Id;
        var errors = new List<Exception>();
        using var store = new WriteBehindStore(inner, ex => errors.Add(ex));

        store.Upsert(bad);
        store.Upsert(TestEntries.Entry(prompt: "good"));
        await store.CommitAsync();

        Assert.IsType<IOException>(Assert.Single(errors));
        Assert.Equal(["upsert good", "commit"], inner.Log);
    }
}
