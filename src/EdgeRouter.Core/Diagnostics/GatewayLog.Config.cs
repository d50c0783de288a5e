using Microsoft.Extensions.Logging;

namespace EdgeRouter.Diagnostics;

public static partial class GatewayLog
{
    /// <summary>A changed config file was validated and is now in use.</summary>
    [LoggerMessage(EventId = 8, EventName = "ConfigReloaded", Level = LogLevel.Information,
        Message = "config reloaded from {Path}: {Routes} routes, {Models} models")]
    public static partial void ConfigReloaded(ILogger logger, string path, int routes, int models);

    /// <summary>A changed config file was invalid; the previous config stays in use.</summary>
    [LoggerMessage(EventId = 9, EventName = "ConfigReloadRejected", Level = LogLevel.Error,
        Message = "config change in {Path} rejected, keeping the previous config:\n{Errors}")]
    public static partial void ConfigReloadRejected(ILogger logger, string path, string errors);

    /// <summary>A setting that only applies at startup changed.</summary>
    [LoggerMessage(EventId = 10, EventName = "RestartRequired", Level = LogLevel.Warning,
        Message = "config change to {Setting} takes effect only after a restart")]
    public static partial void RestartRequired(ILogger logger, string setting);

    /// <summary>The gateway is ready.</summary>
    [LoggerMessage(EventId = 11, EventName = "Started", Level = LogLevel.Information,
        Message = "EdgeRouter {Version} listening on {Urls} with config {Source} ({Routes} routes, {Models} models)")]
    public static partial void Started(ILogger logger, string version, string urls, string source, int routes, int models);

    /// <summary>A local encoder is loaded and warmed up.</summary>
    [LoggerMessage(EventId = 13, EventName = "EncoderLoaded", Level = LogLevel.Information,
        Message = "encoder {Name} loaded from {Path}: {Dimensions} dimensions, up to {MaxTokens} tokens, ONNX Runtime {Version}")]
    public static partial void EncoderLoaded(ILogger logger, string name, string path, int dimensions, int maxTokens, string version);

    /// <summary>The semantic cache's store is open and its entries are indexed.</summary>
    [LoggerMessage(EventId = 14, EventName = "CacheOpened", Level = LogLevel.Information,
        Message = "semantic cache: {Store}; {Loaded} entries indexed, {Damaged} damaged records skipped")]
    public static partial void CacheOpened(ILogger logger, string store, int loaded, int damaged);

    /// <summary>A periodic cache commit failed; it is retried at the next interval.</summary>
    [LoggerMessage(EventId = 15, EventName = "CacheCommitFailed", Level = LogLevel.Error,
        Message = "semantic cache: commit failed, retrying at the next interval")]
    public static partial void CacheCommitFailed(ILogger logger, Exception exception);

    /// <summary>The cache store rejected a write; the entry is still served from memory until evicted.</summary>
    [LoggerMessage(EventId = 16, EventName = "CacheWriteFailed", Level = LogLevel.Error,
        Message = "cache: a write to the store failed; the entry is served from memory but will not survive a restart")]
    public static partial void CacheWriteFailed(ILogger logger, Exception exception);

    /// <summary>The in-process models loaded in the background; routes now run every stage.</summary>
    [LoggerMessage(EventId = 17, EventName = "ModelsWarm", Level = LogLevel.Information,
        Message = "in-process models loaded in the background in {ElapsedMs} ms; every route now runs all its stages")]
    public static partial void ModelsWarm(ILogger logger, long elapsedMs);

    /// <summary>A model could not be loaded in the background; the gateway stops, as it would at startup.</summary>
    [LoggerMessage(EventId = 18, EventName = "ModelsFailed", Level = LogLevel.Critical,
        Message = "in-process models could not be loaded: {Reason}; stopping")]
    public static partial void ModelsFailed(ILogger logger, string reason);

    /// <summary>The in-process simulator is serving.</summary>
    [LoggerMessage(EventId = 12, EventName = "SimulatorStarted", Level = LogLevel.Information,
        Message = "built-in simulator serving {Models} on {Url}")]
    public static partial void SimulatorStarted(ILogger logger, string models, string url);
}
