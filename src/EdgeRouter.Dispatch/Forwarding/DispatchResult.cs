using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;

namespace EdgeRouter.Dispatch.Forwarding;

/// <summary>How a dispatch ended. When <see cref="Committed"/> is false nothing was written and the caller answers with an error.</summary>
public sealed class DispatchResult
{
    /// <summary>The final outcome (of the last attempt).</summary>
    public required UpstreamOutcome Outcome { get; init; }

    /// <summary>True when a response (answer, relayed upstream error or partial stream) was written to the client.</summary>
    public required bool Committed { get; init; }

    /// <summary>The status sent to the client, or to send when not committed.</summary>
    public required int StatusCode { get; init; }

    /// <summary>The model of the last attempt, if any was made.</summary>
    public ModelTarget? Model { get; init; }

    /// <summary>Upstream attempts made, across all candidates.</summary>
    public int Attempts { get; init; }

    /// <summary>Token usage reported by the answering upstream.</summary>
    public TokenUsage Usage { get; init; }

    /// <summary>USD cost of the answer at the model's prices.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Why it failed, for the client's error message and the log.</summary>
    public string? Detail { get; init; }

    /// <summary>How long the client should wait before retrying, when every candidate was rate-limited or open.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The JSON body as sent, when captured.</summary>
    public ReadOnlyMemory<byte> CapturedJson { get; init; }

    /// <summary>The SSE payloads as sent, when captured.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>>? CapturedEvents { get; init; }
}
