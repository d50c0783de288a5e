namespace EdgeRouter.Cache;

/// <summary>
/// One cached answer: who may see it (tenant, route), how it is found (the exact hash of the normalised request, the
/// hash of the conversation before the last user message, the embedding of that message), what is replayed (the JSON
/// body or the recorded stream events) and its bookkeeping. Immutable.
/// </summary>
public sealed class CacheEntry
{
    /// <summary>Unique id, shown in <c>x-edgerouter-cache</c> and used to invalidate the entry.</summary>
    public required Guid Id { get; init; }

    /// <summary>The tenant that owns the entry; no other tenant ever sees it.</summary>
    public required string Tenant { get; init; }

    /// <summary>The route (or concrete model) the request used.</summary>
    public required string Route { get; init; }

    /// <summary>Hash of the whole normalised request (conversation, last message and answer-shaping parameters).</summary>
    public required UInt128 ExactHash { get; init; }

    /// <summary>Hash of everything before the last user message (system prompt, earlier turns, parameters): a semantic
    /// hit must match it exactly.</summary>
    public required ulong ContextHash { get; init; }

    /// <summary>The last user message as sent, for the meaning guard.</summary>
    public required string Prompt { get; init; }

    /// <summary>Unit-length embedding of <see cref="Prompt"/>; empty for entries found by exact hash only.</summary>
    public required float[] Embedding { get; init; }

    /// <summary>The <c>chat.completion</c> JSON as the client received it, when answered whole.</summary>
    public byte[] Json { get; init; } = [];

    /// <summary>The SSE payloads as the client received them, when streamed.</summary>
    public byte[][]? Events { get; init; }

    /// <summary>The concrete model that produced the answer.</summary>
    public required string Model { get; init; }

    /// <summary>Input tokens of the original answer.</summary>
    public long PromptTokens { get; init; }

    /// <summary>Output tokens of the original answer.</summary>
    public long CompletionTokens { get; init; }

    /// <summary>What the original answer cost, in USD: what a hit saves.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>When the entry was written, Unix milliseconds.</summary>
    public required long CreatedUnixMs { get; init; }

    /// <summary>Lifetime in seconds from <see cref="CreatedUnixMs"/>.</summary>
    public required int TtlSeconds { get; init; }

    /// <summary>Free-form tags, for invalidation by tag.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>True once the entry's lifetime has passed at <paramref name="nowUnixMs"/>.</summary>
    public bool IsExpired(long nowUnixMs) => nowUnixMs >= CreatedUnixMs + (TtlSeconds * 1000L);
}
