using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using EdgeRouter.Configuration;
using EdgeRouter.Diagnostics;
using EdgeRouter.Diagnostics.Metrics;
using EdgeRouter.Dispatch.Forwarding;
using EdgeRouter.Dispatch.Providers;
using EdgeRouter.Dispatch.Strategies;
using EdgeRouter.Endpoints;
using EdgeRouter.Cache;
using EdgeRouter.Inference;
using EdgeRouter.Pipeline;
using EdgeRouter.Pipeline.Routing;
using EdgeRouter.Runtime;
using EdgeRouter.Simulator;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging.Console;

namespace EdgeRouter.Hosting;

/// <summary>
/// A running gateway: Kestrel with the OpenAI-compatible endpoints, the current configuration snapshot, the config
/// watcher and, when configured, the in-process simulator. The composition root of EdgeRouter.
/// </summary>
public sealed class GatewayApp : IAsyncDisposable
{
    private const int MinPoolWorkers = 4;

    private readonly WebApplication _app;
    private readonly SnapshotHolder _snapshots;
    private readonly ConfigReloader? _reloader;
    private readonly ConfigWatcher? _watcher;
    private readonly PosixSignalRegistration? _sighup;
    private readonly LoadingModels? _models;
    private readonly CacheSlot _cache;
    private readonly CancellationTokenSource _disposing = new();
    private readonly TaskCompletionSource _modelsReady;

    private GatewayApp(WebApplication app, SnapshotHolder snapshots, ConfigReloader? reloader, ConfigWatcher? watcher,
        PosixSignalRegistration? sighup, SimulatorServer? simulator, IReadOnlyList<Uri> addresses, LoadingModels? models, CacheSlot cache,
        TaskCompletionSource modelsReady)
    {
        _app = app;
        _models = models;
        _modelsReady = modelsReady;
        _cache = cache;
        _snapshots = snapshots;
        _reloader = reloader;
        _watcher = watcher;
        _sighup = sighup;
        Simulator = simulator;
        Addresses = addresses;
    }

    /// <summary>The product version.</summary>
    public static string Version { get; } =
        typeof(GatewayApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>The addresses Kestrel is listening on.</summary>
    public IReadOnlyList<Uri> Addresses { get; }

    /// <summary>The in-process simulator, when the config has a <c>simulator</c> section.</summary>
    public SimulatorServer? Simulator { get; }

    /// <summary>The in-process models, when the config has an <c>inference</c> section.</summary>
    public ILocalModels Models => (ILocalModels?)_models ?? NoLocalModels.Instance;

    /// <summary>The semantic cache, when the config has a <c>cache</c> section (once open: see <see cref="ModelsReady"/>).</summary>
    public SemanticCache? Cache => _cache.Host?.Cache;

    /// <summary>
    /// Completes when the in-process models are loaded and every route runs all its stages: at once unless
    /// <see cref="GatewayOptions.LoadModelsInBackground"/>; faults (and the gateway stops) when a model cannot be loaded.
    /// </summary>
    public Task ModelsReady => _modelsReady.Task;

    /// <summary>The configuration snapshot new requests use.</summary>
    public GatewaySnapshot Snapshot => _snapshots.Current;

    /// <summary>Loads and validates the configuration, starts the simulator (if any) and Kestrel.</summary>
    /// <exception cref="ConfigurationException">The configuration is invalid; every problem is listed.</exception>
    public static async Task<GatewayApp> StartAsync(GatewayOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stages = new StageRegistry(StageKinds.BuiltIn.Concat(options.ExtraStages));
        var (content, source) = ReadConfig(options);
        var loaded = ConfigLoader.Load(content, stages, options.Environment);
        if (!loaded.IsValid)
        {
            throw new ConfigurationException(source, loaded.Errors);
        }

        var config = loaded.Value.Config;
        KeepPoolWorkersAvailable();
        if (config.Server.InlineCompletions)
        {
            SocketTuning.PreferInlineCompletions();
        }

        var logLevel = new LogLevelSwitch(config.Logging.Level);
        var urls = options.Urls ?? config.Server.Urls;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        ConfigureLogging(builder.Logging, config.Logging, logLevel, options.ConfigureLogging);
        builder.WebHost.UseUrls([.. urls]);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null; // enforced per request from the live config (server.maxRequestBodyBytes)
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromMilliseconds(config.Server.ShutdownTimeoutMs));
        if (!options.HandleSignals)
        {
            builder.Services.AddSingleton<IHostLifetime, NullLifetime>();
        }

        var app = builder.Build();
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var logger = loggers.CreateLogger("EdgeRouter");
        var models = config.Inference is { } inference ? new LoadingModels(inference) : null;
        var background = options.LoadModelsInBackground && models is not null;
        if (background && LocalModels.Missing(config.Inference!, BaseDirectory(options.ConfigPath)) is { Count: > 0 } missing)
        {
            // A wrong path is the common mistake: it still stops startup, before serving, as a foreground load would.
            await app.DisposeAsync();
            throw new ConfigurationException(options.ConfigPath ?? EmbeddedDefaults.SourceName, missing);
        }

        // The one record of whether the models are in: set at once without a background load, else by the warm-up.
        var modelsReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!background)
        {
            modelsReady.SetResult();
        }

        var cache = new CacheSlot();
        try
        {
            if (models is not null && !background)
            {
                models.Complete(LoadModels(config, options)!);
                LogEncoders(logger, models.Loaded!);
            }
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        ILocalModels localModels = (ILocalModels?)models ?? NoLocalModels.Instance;
        // The cache needs its encoder's dimensions: while that encoder loads in the background, the cache opens after it.
        if (config.Cache is { } cacheConfig && (!background || cacheConfig.Encoder is null))
        {
            cache.Host = CacheHost.Start(cacheConfig, localModels, BaseDirectory(options.ConfigPath), options.Time, loggers.CreateLogger("EdgeRouter.Cache"));
        }

        var registry = new MetricsRegistry();
        var metrics = new GatewayMetrics(registry);
        var latencies = new ModelLatencies();
        var serviceMap = new Dictionary<Type, object> { [typeof(ModelLatencies)] = latencies, [typeof(TimeProvider)] = options.Time };
        // Dispatch strategies (cascade, speculative) and their verifiers make buffered upstream calls through this.
        serviceMap[typeof(UpstreamCompleter)] = new UpstreamCompleter(metrics, loggers.CreateLogger("EdgeRouter.Dispatch"), options.Time, latencies);
        if (config.Cache is { } cacheSection)
        {
            serviceMap[typeof(CacheConfig)] = cacheSection;
        }

        if (cache.Host is { } openCache)
        {
            serviceMap[typeof(SemanticCache)] = openCache.Cache;
        }

        var services = new GatewayServices(serviceMap);
        GatewaySnapshot first;
        try
        {
            first = GatewaySnapshot.Build(loaded.Value, null, options.Time, new List<ProviderRuntime>(), localModels, services);
        }
        catch (StageBuildException ex)
        {
            await cache.DisposeAsync();
            models?.Dispose();
            await app.DisposeAsync();
            throw new ConfigurationException(options.ConfigPath ?? EmbeddedDefaults.SourceName, [new ConfigError(ex.Path, ex.Reason)]);
        }

        var snapshots = new SnapshotHolder(first);
        RegisterGauges(registry, snapshots);
        cache.Host?.RegisterMetrics(registry);

        SimulatorServer? simulator = null;
        var ready = false;
        try
        {
            if (config.Simulator is { } simulatorConfig)
            {
                simulator = await SimulatorServer.StartAsync(simulatorConfig, loggers, cancellationToken);
                GatewayLog.SimulatorStarted(logger, string.Join(", ", simulatorConfig.Models.Select(m => m.Name)), simulator.ApiBase.ToString());
            }

            var dispatcher = new ChatDispatcher(metrics, loggers.CreateLogger("EdgeRouter.Dispatch"), options.Time);
            var recorder = new RequestRecorder(metrics, loggers, latencies);
            MapEndpoints(app, snapshots, dispatcher, recorder, registry, localModels, config.Cache, cache, options.Environment, logger,
                () => Volatile.Read(ref ready), () => modelsReady.Task.IsCompletedSuccessfully);
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            if (simulator is not null)
            {
                await simulator.DisposeAsync();
            }

            await cache.DisposeAsync();
            models?.Dispose();
            await app.DisposeAsync();
            throw;
        }

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a)).ToList();
        ConfigReloader? reloader = null;
        ConfigWatcher? watcher = null;
        PosixSignalRegistration? sighup = null;
        if (options.ConfigPath is { } path)
        {
            reloader = new ConfigReloader(path, content, stages, options.Environment, snapshots, options.Time, metrics, localModels, services, logger);
            reloader.Applied += next => logLevel.Set(next.Config.Logging.Level);
            watcher = new ConfigWatcher(path, options.ConfigPollInterval, reloader.ReloadAsync);
            if (options.HandleSignals && !OperatingSystem.IsWindows())
            {
                sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal =>
                {
                    signal.Cancel = true;
                    _ = reloader.ReloadAsync();
                });
            }
        }

        Volatile.Write(ref ready, true);
        GatewayLog.Started(logger, Version, string.Join(", ", addresses), source, config.Routes.Count, snapshots.Current.Catalog.All.Count);
        var gateway = new GatewayApp(app, snapshots, reloader, watcher, sighup, simulator, addresses, models, cache, modelsReady);
        if (background)
        {
            var warmUp = new WarmUp(options, config, models!, cache, services, snapshots, reloader, registry, loggers, logger);
            _ = Task.Run(() => gateway.WarmUpAsync(warmUp), CancellationToken.None);
        }

        return gateway;
    }

    /// <summary>Re-reads the config file now; true when a new configuration was applied.</summary>
    public Task<bool> ReloadAsync() => _reloader?.ReloadAsync() ?? Task.FromResult(false);

    /// <summary>Completes when the gateway has been asked to stop (Ctrl+C, SIGTERM or <see cref="StopAsync"/>).</summary>
    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    /// <summary>Stops accepting requests and waits for in-flight ones (up to <c>server.shutdownTimeoutMs</c>).</summary>
    public Task StopAsync() => _app.StopAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _disposing.CancelAsync();
        _sighup?.Dispose();
        _watcher?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            // A background load still running finishes (or stops at its next step) before its models and cache are disposed.
            await ModelsReady;
        }
#pragma warning disable CA1031 // a failed load was logged and stopped the gateway when it happened
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        _reloader?.Dispose();
        if (Simulator is not null)
        {
            await Simulator.DisposeAsync();
        }

        foreach (var provider in _snapshots.Current.Providers.All)
        {
            provider.Dispose();
        }

        await _cache.DisposeAsync();
        _models?.Dispose();
        _disposing.Dispose();
    }

    /// <summary>
    /// Loads the configured encoders and heads (relative paths start at the config file's folder, or the binary's
    /// for an embedded or in-memory config). A model that cannot be loaded stops startup with its config path.
    /// </summary>
    private static LocalModels? LoadModels(GatewayConfig config, GatewayOptions options)
    {
        if (config.Inference is not { } inference)
        {
            return null;
        }

        var baseDirectory = BaseDirectory(options.ConfigPath);
        try
        {
            return LocalModels.Load(inference, baseDirectory);
        }
        catch (LocalModelException ex)
        {
            throw new ConfigurationException(options.ConfigPath ?? EmbeddedDefaults.SourceName, [new ConfigError(ex.Path, "could not be loaded: " + ex.Reason)]);
        }
    }

    private static void LogEncoders(ILogger logger, LocalModels models)
    {
        foreach (var encoder in models.Encoders)
        {
            GatewayLog.EncoderLoaded(logger, encoder.Name, encoder.Session.ModelPath, encoder.Dimensions, encoder.MaxTokens, models.Runtime.Version);
        }
    }

    /// <summary>
    /// The background load: the models (on their own thread), then the semantic cache that needs their dimensions,
    /// then a snapshot built from the same configuration with them, swapped in with config reloads held off; completes
    /// <see cref="ModelsReady"/>. A model that cannot be loaded stops the gateway, as it would have stopped startup.
    /// </summary>
    private async Task WarmUpAsync(WarmUp warmUp)
    {
        var (options, config, models, cache, services, snapshots, reloader, registry, loggers, logger) = warmUp;
        try
        {
            if (options.BeforeBackgroundLoad is { } gate)
            {
                await gate().WaitAsync(_disposing.Token);
            }

            var started = Stopwatch.GetTimestamp();
            var loaded = await Task.Factory.StartNew(() => LoadModels(config, options)!, CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default);
            models.Complete(loaded); // from here the models are disposed with the gateway
            if (_disposing.IsCancellationRequested)
            {
                _modelsReady.SetResult();
                return;
            }

            LogEncoders(logger, loaded);
            if (config.Cache is { } cacheConfig && cache.Host is null)
            {
                var host = CacheHost.Start(cacheConfig, models, BaseDirectory(options.ConfigPath), options.Time, loggers.CreateLogger("EdgeRouter.Cache"));
                host.RegisterMetrics(registry);
                services.Add(typeof(SemanticCache), host.Cache);
                cache.Host = host;
            }

            void SwapInWarmSnapshot()
            {
                // The same configuration, so every provider runtime carries over and none is retired.
                var current = snapshots.Current;
                snapshots.Swap(GatewaySnapshot.Build(current.Validated, current, options.Time, new List<ProviderRuntime>(), models, services));
            }

            if (reloader is not null)
            {
                await reloader.RunExclusiveAsync(SwapInWarmSnapshot);
            }
            else
            {
                SwapInWarmSnapshot();
            }

            GatewayLog.ModelsWarm(logger, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            _modelsReady.SetResult();
        }
        catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
        {
            // The gateway is being disposed before its models were asked for.
            _modelsReady.SetResult();
        }
        catch (Exception ex)
        {
            GatewayLog.ModelsFailed(logger, ex is ConfigurationException or StageBuildException ? ex.Message : ex.ToString());
            if (!_disposing.IsCancellationRequested)
            {
                _ = _app.StopAsync();
            }

            _modelsReady.SetException(ex);
        }
    }

    /// <summary>What the background load works on.</summary>
    private sealed record WarmUp(GatewayOptions Options, GatewayConfig Config, LoadingModels Models, CacheSlot Cache, GatewayServices Services,
        SnapshotHolder Snapshots, ConfigReloader? Reloader, MetricsRegistry Registry, ILoggerFactory Loggers, ILogger Logger);

    /// <summary>
    /// Gives the thread pool a few workers from the start. With one core the pool starts with one worker, and while a
    /// worker is blocked (FASTER waits synchronously inside a cache checkpoint) every request waits for the pool's
    /// starvation detector to add a thread, about half a second later: measured as a 490 ms p99 on the routed path
    /// with the gateway pinned to one core (bench/RESULTS.md).
    /// </summary>
    private static void KeepPoolWorkersAvailable()
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, MinPoolWorkers), completionPorts);
    }

    /// <summary>Where relative paths in the config start: the config file's folder, else the binary's.</summary>
    internal static string BaseDirectory(string? configPath) => configPath is { } path
        ? Path.GetDirectoryName(Path.GetFullPath(path)) ?? AppContext.BaseDirectory
        : AppContext.BaseDirectory;

    private static (byte[] Content, string Source) ReadConfig(GatewayOptions options)
    {
        if (options.ConfigPath is { } path)
        {
            try
            {
                return (File.ReadAllBytes(path), path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ConfigurationException(path, [new ConfigError("", $"cannot read the config file: {ex.Message}")]);
            }
        }

        return options.ConfigJson is { } json ? (json.ToArray(), "(in-memory config)") : (EmbeddedDefaults.ConfigJson(), EmbeddedDefaults.SourceName);
    }

    private static void ConfigureLogging(ILoggingBuilder logging, LoggingConfig config, LogLevelSwitch level, Action<ILoggingBuilder>? custom)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Trace);
        // EdgeRouter's categories follow the live logging.level; the framework only speaks up for warnings.
        logging.AddFilter((category, messageLevel) => category is not null && category.StartsWith("EdgeRouter", StringComparison.Ordinal)
            ? messageLevel >= level.Current
            : messageLevel >= LogLevel.Warning);
        if (custom is not null)
        {
            custom(logging);
            return;
        }

        // With inline socket completions a blocked logger would stall I/O threads: under a burst the console
        // drops lines instead (metrics still count every request).
        logging.Services.Configure<ConsoleLoggerOptions>(console =>
        {
            console.QueueFullMode = ConsoleLoggerQueueFullMode.DropWrite;
            console.MaxQueueLength = 10_000;
        });
        if (config.Format == "json")
        {
            logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = false;
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            logging.AddSimpleConsole(text =>
            {
                text.SingleLine = true;
                text.IncludeScopes = false;
                text.UseUtcTimestamp = true;
                text.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }
    }

    private static void RegisterGauges(MetricsRegistry registry, SnapshotHolder snapshots)
    {
        registry.Gauge("edgerouter_build_info", "EdgeRouter version.", ["version"], () => [(new LabelValues(Version), 1)]);
        registry.Gauge("edgerouter_circuit_state", "Circuit breaker state per provider: 0 closed, 1 open, 2 half-open.", ["provider"],
            () => snapshots.Current.Providers.All.Select(p => (new LabelValues(p.Name), (double)p.Breaker.State)));
    }

    private static void MapEndpoints(WebApplication app, SnapshotHolder snapshots, ChatDispatcher dispatcher, RequestRecorder recorder,
        MetricsRegistry registry, ILocalModels localModels, CacheConfig? cacheConfig, CacheSlot cache, Func<string, string?> environment, ILogger logger,
        Func<bool> isReady, Func<bool> modelsLoaded)
    {
        var chat = new ChatCompletionsEndpoint(snapshots, dispatcher, recorder, logger);
        var embeddings = new EmbeddingsEndpoint(snapshots, dispatcher, localModels);
        var models = new ModelsEndpoint(snapshots, localModels);
        var operational = new OperationalEndpoints(snapshots, registry, isReady, modelsLoaded);
        app.Map("/v1/chat/completions", new RequestDelegate(chat.HandleAsync));
        app.Map("/v1/embeddings", new RequestDelegate(embeddings.HandleAsync));
        app.MapGet("/v1/models", new RequestDelegate(models.ListAsync));
        app.MapGet("/v1/models/{**id}", new RequestDelegate(models.GetAsync));
        app.MapGet("/healthz", new RequestDelegate(OperationalEndpoints.HealthAsync));
        app.MapGet("/readyz", new RequestDelegate(operational.ReadyAsync));
        app.MapGet("/metrics", new RequestDelegate(operational.MetricsAsync));
        if (cacheConfig is not null)
        {
            var admin = new CacheAdminEndpoints(() => cache.Host?.Cache, cacheConfig.AdminTokenEnv is { } tokenEnv ? environment(tokenEnv) : null);
            app.Map("/v1/cache/invalidate", new RequestDelegate(admin.InvalidateAsync));
            app.Map("/v1/cache/stats", new RequestDelegate(admin.StatsAsync));
        }

        app.MapFallback(new RequestDelegate(OperationalEndpoints.NotFoundAsync));
    }

    /// <summary>The live minimum level of EdgeRouter's log categories; follows config reloads.</summary>
    private sealed class LogLevelSwitch(string initial)
    {
        private int _level = (int)Parse(initial);

        public LogLevel Current => (LogLevel)Volatile.Read(ref _level);

        public void Set(string level) => Volatile.Write(ref _level, (int)Parse(level));

        private static LogLevel Parse(string level) => Enum.TryParse<LogLevel>(level, ignoreCase: true, out var parsed) ? parsed : LogLevel.Information;
    }
}
