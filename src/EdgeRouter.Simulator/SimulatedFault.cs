namespace EdgeRouter.Simulator;

/// <summary>What an injected fault does to one request.</summary>
public enum SimulatedFaultKind
{
    /// <summary>Answer normally; lets a script leave a request untouched.</summary>
    None,

    /// <summary>Answer with an error status and an OpenAI <c>server_error</c> body.</summary>
    Error,

    /// <summary>Answer 429 with a <c>Retry-After</c> header and an OpenAI <c>rate_limit_error</c> body.</summary>
    RateLimit,

    /// <summary>Wait before sending anything, then answer normally.</summary>
    Stall,

    /// <summary>Abort the connection: mid-stream after some tokens, or before any response when not streaming.</summary>
    Drop,
}

/// <summary>A fault to inject into one request.</summary>
/// <param name="Kind">What happens.</param>
/// <param name="Status">HTTP status of an <see cref="SimulatedFaultKind.Error"/> (400–599).</param>
/// <param name="RetryAfterSeconds"><c>Retry-After</c> of a <see cref="SimulatedFaultKind.RateLimit"/>.</param>
/// <param name="StallMs">Length of a <see cref="SimulatedFaultKind.Stall"/> in milliseconds.</param>
/// <param name="AfterTokens">Token chunks streamed before a <see cref="SimulatedFaultKind.Drop"/>.</param>
public sealed record SimulatedFault(
    SimulatedFaultKind Kind, int Status = 500, int RetryAfterSeconds = 1, int StallMs = 0, int AfterTokens = 0);
