using System.Security.Cryptography;
using EdgeRouter.Configuration;
using EdgeRouter.Diagnostics;
using EdgeRouter.Dispatch.Providers;
using EdgeRouter.Pipeline;
using EdgeRouter.Runtime;

namespace EdgeRouter.Hosting;

/// <summary>
/// Applies a changed config file: validate, build a new snapshot and swap it in atomically. An invalid file leaves
/// the running config untouched and logs every error. Provider runtimes that the new snapshot replaced are disposed
/// after a grace period so requests still using them can finish. Reloads are serialized.
/// </summary>
internal sealed class ConfigReloader : IDisposable
{
    private readonly string _path;
    private readonly StageRegistry _stages;
    private readonly Func<string, string?> _environment;
    private readonly SnapshotHolder _snapshots;
    private readonly TimeProvider _time;
    private readonly GatewayMetrics _metrics;
    private readonly ILocalModels _models;
    private readonly IServiceProvider? _services;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private byte[] _lastSeen;

    public ConfigReloader(string path, byte[] initialContent, StageRegistry stages, Func<string, string?> environment,
        SnapshotHolder snapshots, TimeProvider time, GatewayMetrics metrics, ILocalModels models, IServiceProvider? services, ILogger logger)
    {
        _path = path;
        _lastSeen = SHA256.HashData(initialContent);
        _stages = stages;
        _environment = environment;
        _snapshots = snapshots;
        _time = time;
        _metrics = metrics;
        _models = models;
        _services = services;
        _logger = logger;
    }

    /// <summary>Called after every applied reload with the new snapshot.</summary>
    public event Action<GatewaySnapshot>? Applied;

    /// <summary>Re-reads the file; returns true when a new config was applied.</summary>
    public async Task<bool> ReloadAsync()
    {
        await _gate.WaitAsync();
        try
        {
            byte[] content;
            try
            {
                content = await File.ReadAllBytesAsync(_path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Editors replace files in steps; the next change notification or poll will see the final content.
                return false;
            }

            var hash = SHA256.HashData(content);
            if (hash.AsSpan().SequenceEqual(_lastSeen))
            {
                return false;
            }

            _lastSeen = hash;
            var result = ConfigLoader.Load(content, _stages, _environment);
            if (!result.IsValid)
            {
                _metrics.ConfigReloads.WithLabels("rejected").Increment();
                GatewayLog.ConfigReloadRejected(_logger, _path, "  " + string.Join("\n  ", result.Errors));
                return false;
            }

            var current = _snapshots.Current;
            WarnAboutRestartOnlySettings(current.Config, result.Value.Config);
            var retired = new List<ProviderRuntime>();
            GatewaySnapshot next;
            try
            {
                next = GatewaySnapshot.Build(result.Value, current, _time, retired, _models, _services);
            }
#pragma warning disable CA1031 // whatever went wrong, the running config must stay in place
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _metrics.ConfigReloads.WithLabels("rejected").Increment();
                GatewayLog.ConfigReloadRejected(_logger, _path, "  could not build the new configuration: " + ex.Message);
                return false;
            }

            _snapshots.Swap(next);
            RetireLater(retired, current);
            _metrics.ConfigReloads.WithLabels("applied").Increment();
            GatewayLog.ConfigReloaded(_logger, _path, next.Config.Routes.Count, next.Catalog.All.Count);
            Applied?.Invoke(next);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs <paramref name="action"/> with reloads held off (the swap to the snapshot with loaded models).</summary>
    public async Task RunExclusiveAsync(Action action)
    {
        await _gate.WaitAsync();
        try
        {
            action();
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private void WarnAboutRestartOnlySettings(GatewayConfig before, GatewayConfig after)
    {
        if (!before.Server.Urls.SequenceEqual(after.Server.Urls))
        {
            GatewayLog.RestartRequired(_logger, "server.urls");
        }

        if (before.Logging.Format != after.Logging.Format)
        {
            GatewayLog.RestartRequired(_logger, "logging.format");
        }

        if (!SameJson(before.Simulator, after.Simulator, ConfigJsonContext.Default.SimulatorConfig))
        {
            GatewayLog.RestartRequired(_logger, "simulator");
        }

        if (!SameJson(before.Inference, after.Inference, ConfigJsonContext.Default.InferenceConfig))
        {
            GatewayLog.RestartRequired(_logger, "inference");
        }

        if (!SameJson(before.Cache, after.Cache, ConfigJsonContext.Default.CacheConfig))
        {
            GatewayLog.RestartRequired(_logger, "cache");
        }
    }

    // Records holding lists compare by reference; their JSON compares by content.
    private static bool SameJson<T>(T? a, T? b, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class =>
        (a is null && b is null)
        || (a is not null && b is not null && System.Text.Json.JsonSerializer.Serialize(a, type) == System.Text.Json.JsonSerializer.Serialize(b, type));

    private void RetireLater(List<ProviderRuntime> retired, GatewaySnapshot previous)
    {
        if (retired.Count == 0)
        {
            return;
        }

        // A request that started on the old snapshot finishes within its provider's total timeout.
        var grace = TimeSpan.FromMilliseconds(previous.Config.Providers.Max(p => p.Timeouts.TotalMs) + 5_000);
        _ = Task.Delay(grace, _time).ContinueWith(_ =>
        {
            foreach (var runtime in retired)
            {
                runtime.Dispose();
            }
        }, TaskScheduler.Default);
    }
}
