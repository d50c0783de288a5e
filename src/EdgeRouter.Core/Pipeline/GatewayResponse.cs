using EdgeRouter.Configuration;

namespace EdgeRouter.Pipeline;

/// <summary>
/// A complete response produced inside the gateway (a cache hit, a verified cascade answer, …) rather than relayed
/// live from an upstream. It holds either one JSON body or a list of recorded server-sent events, and the writer
/// converts between the two when the client asked for the other form.
/// </summary>
public sealed class GatewayResponse
{
    /// <summary>HTTP status code, 200 for an answer.</summary>
    public int StatusCode { get; init; } = 200;

    /// <summary>A <c>chat.completion</c> JSON body, when the response was recorded whole.</summary>
    public ReadOnlyMemory<byte> Json { get; init; }

    /// <summary>Recorded SSE <c>data:</c> payloads (without framing, without <c>[DONE]</c>), when recorded as a stream.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>>? Events { get; init; }

    /// <summary>The model that produced the answer originally, if any.</summary>
    public ModelTarget? Model { get; init; }

    /// <summary>Token usage of the original answer.</summary>
    public TokenUsage Usage { get; init; }

    /// <summary>USD this answer cost to produce now (0 for a cache hit; a strategy's upstream calls that reached the client).</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Upstream calls made to produce this answer (0 for a cache hit).</summary>
    public int Attempts { get; init; }

    /// <summary>Extra response headers, e.g. a cache verdict.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
}

/// <summary>Token counts reported by an upstream.</summary>
/// <param name="PromptTokens">Input tokens.</param>
/// <param name="CompletionTokens">Output tokens.</param>
public readonly record struct TokenUsage(long PromptTokens, long CompletionTokens)
{
    /// <summary>True when the upstream reported any usage.</summary>
    public bool IsKnown => PromptTokens > 0 || CompletionTokens > 0;
}
