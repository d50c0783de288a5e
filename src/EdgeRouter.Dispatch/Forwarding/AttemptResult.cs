using EdgeRouter.Pipeline;

namespace EdgeRouter.Dispatch.Forwarding;

/// <summary>How one upstream attempt ended; a value so the hot path throws nothing.</summary>
internal readonly struct AttemptResult
{
    public UpstreamOutcome Outcome { get; init; }

    /// <summary>True when bytes reached the client.</summary>
    public bool Committed { get; init; }

    /// <summary>Status sent to the client (when committed) or the upstream's status (when not).</summary>
    public int ClientStatus { get; init; }

    public string? Detail { get; init; }

    public TimeSpan? RetryAfter { get; init; }

    public TokenUsage Usage { get; init; }

    public ReadOnlyMemory<byte> CapturedJson { get; init; }

    public IReadOnlyList<ReadOnlyMemory<byte>>? CapturedEvents { get; init; }

    /// <summary>When the attempt was sent and when its first body byte arrived (<see cref="System.Diagnostics.Stopwatch"/> timestamps; 0 when unknown).</summary>
    public long SentTimestamp { get; init; }

    /// <inheritdoc cref="SentTimestamp"/>
    public long FirstByteTimestamp { get; init; }

    public static AttemptResult Fail(UpstreamOutcome outcome, int upstreamStatus, string detail, TimeSpan? retryAfter = null) =>
        new() { Outcome = outcome, ClientStatus = upstreamStatus, Detail = detail, RetryAfter = retryAfter };
}
