namespace EdgeRouter.Configuration;

/// <summary>An OpenAI-compatible upstream and the models it serves.</summary>
public sealed record ProviderConfig
{
    /// <summary>Unique name; concrete model ids are <c>name/model</c>. Letters, digits, <c>-</c>, <c>_</c>, <c>.</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary>Base URL up to and including the API version, e.g. <c>https://api.openai.com/v1</c>.</summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>Name of the environment variable holding the API key, sent as a bearer token. Null: no key.</summary>
    public string? ApiKeyEnv { get; set; }

    /// <summary>
    /// Header carrying the API key. <c>Authorization</c> (default) sends <c>Bearer &lt;key&gt;</c>; any other name
    /// (e.g. <c>api-key</c>) sends the key as the whole value.
    /// </summary>
    public string ApiKeyHeader { get; set; } = "Authorization";

    /// <summary>Extra headers sent with every upstream request.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>();

    /// <summary>
    /// Client request headers passed on to this provider when present (e.g. <c>OpenAI-Beta</c>, <c>anthropic-beta</c>).
    /// Nothing else from the client reaches the upstream.
    /// </summary>
    public IReadOnlyList<string> ForwardHeaders { get; set; } = [];

    /// <summary>
    /// Ask for a usage chunk on streams whose client did not (then strip it again), so tokens and cost are counted.
    /// Turn off for an upstream that rejects <c>stream_options</c>; its streams are then relayed without usage.
    /// </summary>
    public bool StreamUsage { get; set; } = true;

    /// <summary>Connect, first-byte, idle and total timeouts.</summary>
    public TimeoutConfig Timeouts { get; set; } = new();

    /// <summary>Retries against this provider before falling back to the next candidate.</summary>
    public RetryConfig Retry { get; set; } = new();

    /// <summary>Circuit breaker guarding this provider.</summary>
    public CircuitBreakerConfig CircuitBreaker { get; set; } = new();

    /// <summary>Upper bound on pooled keep-alive connections to this provider.</summary>
    public int MaxConnections { get; set; } = 1024;

    /// <summary>The models this provider serves.</summary>
    public IReadOnlyList<ModelConfig> Models { get; set; } = [];
}

/// <summary>Per-provider timeouts in milliseconds.</summary>
public sealed record TimeoutConfig
{
    /// <summary>TCP and TLS connection establishment.</summary>
    public int ConnectMs { get; set; } = 5_000;

    /// <summary>From sending the request to the first byte of the response body.</summary>
    public int FirstByteMs { get; set; } = 60_000;

    /// <summary>Longest silence between two chunks of a streamed response.</summary>
    public int StreamIdleMs { get; set; } = 60_000;

    /// <summary>Whole exchange, from sending the request to the last byte.</summary>
    public int TotalMs { get; set; } = 600_000;
}

/// <summary>Retry policy. Retries happen only before the first byte reaches the client.</summary>
public sealed record RetryConfig
{
    /// <summary>Attempts against one provider, including the first (1 disables retries).</summary>
    public int MaxAttempts { get; set; } = 2;

    /// <summary>Base of the exponential backoff; the actual delay is drawn uniformly from [0, base·2^n] (full jitter).</summary>
    public int BaseDelayMs { get; set; } = 100;

    /// <summary>Cap on one backoff delay.</summary>
    public int MaxDelayMs { get; set; } = 2_000;

    /// <summary>Longest <c>Retry-After</c> honoured; a longer one moves on to the next candidate instead.</summary>
    public int RetryAfterCapMs { get; set; } = 5_000;
}

/// <summary>Consecutive-failure circuit breaker.</summary>
public sealed record CircuitBreakerConfig
{
    /// <summary>Consecutive failed attempts that open the circuit. 0 disables the breaker.</summary>
    public int FailureThreshold { get; set; } = 5;

    /// <summary>How long the circuit stays open before one half-open probe is let through.</summary>
    public int OpenMs { get; set; } = 30_000;
}

/// <summary>A model served by a provider.</summary>
public sealed record ModelConfig
{
    /// <summary>Name under the provider; the concrete id is <c>provider/name</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary>Model name sent upstream; defaults to <see cref="Name"/>.</summary>
    public string? UpstreamName { get; set; }

    /// <summary><c>chat</c> (default) or <c>embedding</c>.</summary>
    public string Kind { get; set; } = ModelKinds.Chat;

    /// <summary>USD per one million input tokens.</summary>
    public decimal InputPricePerMillion { get; set; }

    /// <summary>USD per one million output tokens.</summary>
    public decimal OutputPricePerMillion { get; set; }

    /// <summary>Context window in tokens.</summary>
    public int ContextWindow { get; set; } = 128_000;

    /// <summary>Free-form tags (<c>cheap</c>, <c>strong</c>, <c>vision</c>, …) that routers may use.</summary>
    public IReadOnlyList<string> Tags { get; set; } = [];
}

/// <summary>Values of <see cref="ModelConfig.Kind"/>.</summary>
public static class ModelKinds
{
    /// <summary>Serves <c>/v1/chat/completions</c>.</summary>
    public const string Chat = "chat";

    /// <summary>Serves <c>/v1/embeddings</c>.</summary>
    public const string Embedding = "embedding";
}
