namespace EdgeRouter.Configuration;

/// <summary>The built-in OpenAI-compatible upstream simulator (<c>edgerouter sim</c>, or in-process).</summary>
public sealed record SimulatorConfig
{
    /// <summary>Address the simulator listens on.</summary>
    public string Url { get; set; } = "http://127.0.0.1:18080";

    /// <summary>Seed for latency jitter and random faults; the same seed replays the same run.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Simulated models by upstream name.</summary>
    public IReadOnlyList<SimulatedModelConfig> Models { get; set; } = [];
}

/// <summary>A simulated model: its latency profile, answer length and injected faults.</summary>
public sealed record SimulatedModelConfig
{
    /// <summary>Name clients send as <c>model</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary>Time to first token in milliseconds.</summary>
    public double TtftMs { get; set; } = 50;

    /// <summary>Tokens generated per second after the first.</summary>
    public double TokensPerSecond { get; set; } = 100;

    /// <summary>Uniform jitter added to the time to first token, in milliseconds.</summary>
    public double JitterMs { get; set; }

    /// <summary>Answer length in tokens when the request sets no lower <c>max_tokens</c>.</summary>
    public int AnswerTokens { get; set; } = 24;

    /// <summary>Dimension of <c>/v1/embeddings</c> vectors.</summary>
    public int EmbeddingDimensions { get; set; } = 384;

    /// <summary>Randomly injected faults.</summary>
    public SimulatedFaultsConfig Faults { get; set; } = new();
}

/// <summary>Probabilities (0–1) of injected faults, drawn per request from the seeded generator.</summary>
public sealed record SimulatedFaultsConfig
{
    /// <summary>Answer 500 instead of a completion.</summary>
    public double ErrorRate { get; set; }

    /// <summary>Answer 429 with <see cref="RetryAfterSeconds"/>.</summary>
    public double RateLimitRate { get; set; }

    /// <summary><c>Retry-After</c> sent with injected 429s.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>Stall for <see cref="StallMs"/> before the first byte.</summary>
    public double StallRate { get; set; }

    /// <summary>Length of an injected stall.</summary>
    public int StallMs { get; set; } = 30_000;

    /// <summary>Drop the connection mid-stream after <see cref="DropAfterTokens"/> tokens.</summary>
    public double DropRate { get; set; }

    /// <summary>Tokens sent before an injected drop.</summary>
    public int DropAfterTokens { get; set; } = 4;
}
