using Microsoft.Extensions.Logging;

namespace EdgeRouter.Diagnostics;

public static partial class GatewayLog
{
    /// <summary>The one structured line written for every chat completion request.</summary>
    [LoggerMessage(EventId = 1, EventName = "Decision", Level = LogLevel.Information,
        Message = "request {RequestId} route={Route} model={Model} provider={Provider} status={Status} outcome={Outcome} stream={Stream} attempts={Attempts} overhead_ms={OverheadMs:F3} ttfb_ms={TtfbMs:F1} total_ms={TotalMs:F1} prompt_tokens={PromptTokens} completion_tokens={CompletionTokens} cost_usd={CostUsd} trace=\"{Trace}\"")]
    public static partial void Decision(ILogger logger, string requestId, string route, string model, string provider, int status,
        string outcome, bool stream, int attempts, double overheadMs, double ttfbMs, double totalMs, long promptTokens,
        long completionTokens, decimal costUsd, string trace);

    /// <summary>A request failed inside the gateway; the client got an error.</summary>
    [LoggerMessage(EventId = 2, EventName = "UnhandledError", Level = LogLevel.Error,
        Message = "request {RequestId} failed inside the gateway")]
    public static partial void UnhandledError(ILogger logger, string requestId, Exception exception);

    /// <summary>A completion observer (e.g. a cache writer) failed after the response was sent.</summary>
    [LoggerMessage(EventId = 3, EventName = "CompletionObserverFailed", Level = LogLevel.Error,
        Message = "request {RequestId}: a completion observer failed")]
    public static partial void CompletionObserverFailed(ILogger logger, string requestId, Exception exception);
}
