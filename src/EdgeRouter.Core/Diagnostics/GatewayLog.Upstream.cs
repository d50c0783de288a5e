using Microsoft.Extensions.Logging;

namespace EdgeRouter.Diagnostics;

public static partial class GatewayLog
{
    /// <summary>One upstream attempt failed; it may be retried or fall back.</summary>
    [LoggerMessage(EventId = 4, EventName = "UpstreamAttemptFailed", Level = LogLevel.Warning,
        Message = "request {RequestId}: {Model} attempt {Attempt} failed: {Outcome} ({Detail})")]
    public static partial void UpstreamAttemptFailed(ILogger logger, string requestId, string model, int attempt, string outcome, string detail);

    /// <summary>A provider's circuit opened after consecutive failures.</summary>
    [LoggerMessage(EventId = 5, EventName = "CircuitOpened", Level = LogLevel.Warning,
        Message = "provider {Provider}: circuit opened after {Failures} consecutive failures; next probe in {OpenMs} ms")]
    public static partial void CircuitOpened(ILogger logger, string provider, int failures, int openMs);

    /// <summary>A provider's circuit closed after a successful probe.</summary>
    [LoggerMessage(EventId = 6, EventName = "CircuitClosed", Level = LogLevel.Information,
        Message = "provider {Provider}: circuit closed, probe succeeded")]
    public static partial void CircuitClosed(ILogger logger, string provider);

    /// <summary>A stream broke after bytes had reached the client; the client got an error event.</summary>
    [LoggerMessage(EventId = 7, EventName = "StreamInterrupted", Level = LogLevel.Warning,
        Message = "request {RequestId}: stream from {Model} broke after the first byte: {Detail}")]
    public static partial void StreamInterrupted(ILogger logger, string requestId, string model, string detail);
}
