namespace EdgeRouter.Configuration;

/// <summary>
/// The whole gateway configuration as read from one JSON file. A reload builds a new instance and swaps the
/// runtime snapshot built from it; a loaded instance is never changed.
/// </summary>
/// <remarks>
/// The configuration records have setters rather than <c>init</c> accessors because System.Text.Json's source
/// generator assigns <c>default</c> to every omitted init-only property, which would discard the defaults below.
/// </remarks>
public sealed record GatewayConfig
{
    /// <summary>Listener and request limits.</summary>
    public ServerConfig Server { get; set; } = new();

    /// <summary>Log level and format.</summary>
    public LoggingConfig Logging { get; set; } = new();

    /// <summary>In-process models (encoders, classifier heads); null when the gateway runs none.</summary>
    public InferenceConfig? Inference { get; set; }

    /// <summary>The semantic response cache used by <c>cache</c> stages; null when no route caches.</summary>
    public CacheConfig? Cache { get; set; }

    /// <summary>When present, the built-in upstream simulator runs inside the gateway process.</summary>
    public SimulatorConfig? Simulator { get; set; }

    /// <summary>Upstream providers, each with its models. Names are unique.</summary>
    public IReadOnlyList<ProviderConfig> Providers { get; set; } = [];

    /// <summary>Routes by name; the request's <c>model</c> selects one.</summary>
    public IReadOnlyDictionary<string, RouteConfig> Routes { get; set; } = new Dictionary<string, RouteConfig>();
}

/// <summary>Listener and request limits. Changing <see cref="Urls"/> needs a restart; the rest reloads.</summary>
public sealed record ServerConfig
{
    /// <summary>Default for <see cref="MaxRequestBodyBytes"/>: 4 MiB.</summary>
    public const long DefaultMaxRequestBodyBytes = 4 * 1024 * 1024;

    /// <summary>Addresses Kestrel listens on, e.g. <c>http://127.0.0.1:8080</c>.</summary>
    public IReadOnlyList<string> Urls { get; set; } = ["http://127.0.0.1:8080"];

    /// <summary>Largest accepted request body in bytes; larger bodies get 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;

    /// <summary>How long shutdown waits for in-flight requests, in milliseconds.</summary>
    public int ShutdownTimeoutMs { get; set; } = 10_000;

    /// <summary>
    /// Run socket completions on the I/O threads instead of hopping to the thread pool (Kestrel and upstream
    /// sockets alike). Cuts CPU per proxied request by about a fifth on small machines (bench/RESULTS.md); safe
    /// because nothing on the request path blocks. Applies at startup, process-wide, unless
    /// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c> is already set.
    /// </summary>
    public bool InlineCompletions { get; set; } = true;
}

/// <summary>Logging settings.</summary>
public sealed record LoggingConfig
{
    /// <summary>Minimum level for EdgeRouter's own categories: Trace, Debug, Information, Warning, Error, Critical, None.</summary>
    public string Level { get; set; } = "Information";

    /// <summary><c>text</c> for people, <c>json</c> for log shippers.</summary>
    public string Format { get; set; } = "text";
}
