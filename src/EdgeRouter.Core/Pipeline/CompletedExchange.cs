using EdgeRouter.Configuration;

namespace EdgeRouter.Pipeline;

/// <summary>The finished exchange handed to completion observers.</summary>
public sealed class CompletedExchange
{
    /// <summary>True when the client received a complete, successful answer (a 200 and, for streams, <c>[DONE]</c>).</summary>
    public required bool Succeeded { get; init; }

    /// <summary>The status code sent to the client.</summary>
    public required int StatusCode { get; init; }

    /// <summary>The model that answered, if any.</summary>
    public ModelTarget? Model { get; init; }

    /// <summary>True when the client asked for a stream.</summary>
    public bool Streamed { get; init; }

    /// <summary>The JSON body as sent to the client (non-streaming answers).</summary>
    public ReadOnlyMemory<byte> Json { get; init; }

    /// <summary>The SSE <c>data:</c> payloads as sent to the client, without <c>[DONE]</c> (streaming answers).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>>? Events { get; init; }

    /// <summary>Token usage reported by the upstream.</summary>
    public TokenUsage Usage { get; init; }

    /// <summary>USD cost of the answer at the model's prices.</summary>
    public decimal CostUsd { get; init; }
}
