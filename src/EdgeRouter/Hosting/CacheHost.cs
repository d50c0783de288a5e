using EdgeRouter.Cache;
using EdgeRouter.Cache.Storage;
using EdgeRouter.Configuration;
using EdgeRouter.Diagnostics;
using EdgeRouter.Diagnostics.Metrics;
using EdgeRouter.Pipeline;

namespace EdgeRouter.Hosting;

/// <summary>
/// Runs the semantic cache for the gateway: opens (recovering) the durable store, rebuilds the in-memory indexes,
/// commits writes every <c>cache.commitIntervalMs</c> (group commit), sweeps expired entries, exposes counters, and
/// takes a last checkpoint at shutdown.
/// </summary>
internal sealed class CacheHost : IAsyncDisposable
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private readonly ILogger _logger;

    private CacheHost(CacheConfig config, SemanticCache cache, ILogger logger)
    {
        Config = config;
        Cache = cache;
        _logger = logger;
        _loop = RunAsync();
    }

    public CacheConfig Config { get; }

    public SemanticCache Cache { get; }

    /// <summary>Opens the cache for <paramref name="config"/>; relative directories start at <paramref name="baseDirectory"/>.</summary>
    public static CacheHost Start(CacheConfig config, ILocalModels models, string baseDirectory, TimeProvider time, ILogger logger)
    {
        var dimensions = 1;
        if (config.Encoder is { } name && models.TryGetEncoder(name, out var encoder))
        {
            dimensions = encoder.Dimensions;
        }

        ICacheStore store = config.Directory is { } directory
            ? new WriteBehindStore(
                FasterCacheStore.Open(Path.IsPathRooted(directory) ? directory : Path.GetFullPath(Path.Combine(baseDirectory, directory))),
                ex => GatewayLog.CacheWriteFailed(logger, ex))
            : new NullCacheStore();
        var cache = new SemanticCache(new SemanticCacheOptions
        {
            Dimensions = dimensions,
            MaxEntries = config.MaxEntries,
            Candidates = config.Candidates,
            M = config.Index.M,
            EfConstruction = config.Index.EfConstruction,
            Ef = config.Index.Ef,
        }, store, time);
        var (loaded, damaged) = cache.Load();
        GatewayLog.CacheOpened(logger, store.Description, loaded, damaged);
        return new CacheHost(config, cache, logger);
    }

    /// <summary>Adds the cache's counters to <paramref name="registry"/>.</summary>
    public void RegisterMetrics(MetricsRegistry registry)
    {
        registry.Gauge("edgerouter_cache_entries", "Entries in the semantic cache.", [], () => [(default, Cache.Stats.Entries)]);
        registry.Gauge("edgerouter_cache_lookups", "Cache lookups since start by result (exact_hit, semantic_hit, miss).", ["result"], () =>
        {
            var stats = Cache.Stats;
            return [
                (new LabelValues("exact_hit"), stats.Hits - stats.SemanticHits),
                (new LabelValues("semantic_hit"), stats.SemanticHits),
                (new LabelValues("miss"), stats.Misses),
            ];
        });
        registry.Gauge("edgerouter_cache_removals", "Entries removed since start by cause, and candidates the meaning guard rejected.", ["cause"], () =>
        {
            var stats = Cache.Stats;
            return [
                (new LabelValues("eviction"), stats.Evictions),
                (new LabelValues("expiry"), stats.Expirations),
                (new LabelValues("guard_rejection"), stats.GuardRejections),
            ];
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        Cache.Dispose();
        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Config.CommitIntervalMs));
        var lastSweep = DateTime.UtcNow;
        while (await timer.WaitForNextTickAsync(_stopping.Token))
        {
            try
            {
                if (DateTime.UtcNow - lastSweep > SweepInterval)
                {
                    lastSweep = DateTime.UtcNow;
                    Cache.RemoveExpired();
                }

                await Cache.Store.CommitAsync(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
#pragma warning disable CA1031 // a failed commit is retried at the next tick; the process must keep serving
            catch (Exception ex)
#pragma warning restore CA1031
            {
                GatewayLog.CacheCommitFailed(_logger, ex);
            }
        }
    }
}
