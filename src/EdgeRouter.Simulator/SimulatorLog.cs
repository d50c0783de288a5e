using Microsoft.Extensions.Logging;

namespace EdgeRouter.Simulator;

/// <summary>Source-generated log messages of the simulator.</summary>
internal static partial class SimulatorLog
{
    [LoggerMessage(EventId = 1, EventName = "SimulatorListening", Level = LogLevel.Information,
        Message = "Simulator listening on {Address} with {ModelCount} models")]
    public static partial void Listening(ILogger logger, Uri address, int modelCount);

    [LoggerMessage(EventId = 2, EventName = "SimulatorHandlerFailed", Level = LogLevel.Error,
        Message = "Simulator failed to answer {Method} {Path}")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string method, string path);
}
