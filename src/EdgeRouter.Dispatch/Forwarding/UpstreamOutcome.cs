namespace EdgeRouter.Dispatch.Forwarding;

/// <summary>How one upstream attempt ended.</summary>
public enum UpstreamOutcome : byte
{
    /// <summary>A complete answer reached the client.</summary>
    Success,

    /// <summary>The upstream rejected the request as invalid (4xx); its error was relayed to the client.</summary>
    ClientError,

    /// <summary>429 Too Many Requests.</summary>
    RateLimited,

    /// <summary>5xx, or an error object in place of an answer.</summary>
    ServerError,

    /// <summary>No first byte, a stalled stream or the total time ran out.</summary>
    Timeout,

    /// <summary>The connection could not be made or broke before the first byte.</summary>
    ConnectFailure,

    /// <summary>The upstream answered 2xx with something that is not a chat completion.</summary>
    BadResponse,

    /// <summary>401 or 403: the provider refused the gateway's credentials.</summary>
    AuthFailure,

    /// <summary>The client went away; the upstream request was cancelled.</summary>
    Canceled,

    /// <summary>The provider's circuit is open; no request was sent.</summary>
    CircuitOpen,

    /// <summary>The stream broke after bytes had reached the client; the client got an error event.</summary>
    StreamInterrupted,
}

/// <summary>Classification helpers for <see cref="UpstreamOutcome"/>.</summary>
public static class UpstreamOutcomes
{
    /// <summary>True when the same provider may be tried again.</summary>
    public static bool IsRetryable(this UpstreamOutcome outcome) =>
        outcome is UpstreamOutcome.RateLimited or UpstreamOutcome.ServerError or UpstreamOutcome.Timeout
            or UpstreamOutcome.ConnectFailure or UpstreamOutcome.BadResponse;

    /// <summary>True when the dispatcher stops: the client has its answer, an upstream's verdict, or is gone.</summary>
    public static bool IsFinal(this UpstreamOutcome outcome) =>
        outcome is UpstreamOutcome.Success or UpstreamOutcome.ClientError or UpstreamOutcome.Canceled
            or UpstreamOutcome.StreamInterrupted;

    /// <summary>True when the outcome says the provider is unhealthy (counts towards its circuit breaker).</summary>
    public static bool IsProviderFailure(this UpstreamOutcome outcome) =>
        outcome.IsRetryable() || outcome is UpstreamOutcome.AuthFailure or UpstreamOutcome.StreamInterrupted;

    /// <summary>Lower-case name used in metrics and logs.</summary>
    public static string ToLabel(this UpstreamOutcome outcome) => outcome switch
    {
        UpstreamOutcome.Success => "success",
        UpstreamOutcome.ClientError => "client_error",
        UpstreamOutcome.RateLimited => "rate_limited",
        UpstreamOutcome.ServerError => "server_error",
        UpstreamOutcome.Timeout => "timeout",
        UpstreamOutcome.ConnectFailure => "connect_failure",
        UpstreamOutcome.BadResponse => "bad_response",
        UpstreamOutcome.AuthFailure => "auth_failure",
        UpstreamOutcome.Canceled => "canceled",
        UpstreamOutcome.CircuitOpen => "circuit_open",
        UpstreamOutcome.StreamInterrupted => "stream_interrupted",
        _ => "unknown",
    };
}
