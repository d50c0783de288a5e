using System.Net;
using EdgeRouter.Configuration;
using EdgeRouter.Dispatch.Reliability;

namespace EdgeRouter.Dispatch.Providers;

/// <summary>
/// The live side of one provider: its pooled keep-alive connections, resolved URLs and credentials, and its circuit
/// breaker. Shared by every request and by consecutive config snapshots while the provider's settings are unchanged.
/// Thread-safe.
/// </summary>
public sealed class ProviderRuntime : IDisposable
{
    private readonly SocketsHttpHandler _handler;

    /// <summary>Creates the runtime for <paramref name="config"/>.</summary>
    /// <param name="config">The provider's settings.</param>
    /// <param name="apiKey">The API key read from the environment, or null.</param>
    /// <param name="time">Clock for the circuit breaker.</param>
    public ProviderRuntime(ProviderConfig config, string? apiKey, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        var baseUrl = config.BaseUrl.TrimEnd('/');
        ChatCompletionsUri = new Uri(baseUrl + "/chat/completions");
        EmbeddingsUri = new Uri(baseUrl + "/embeddings");
        Headers = BuildHeaders(config, apiKey);
        _handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromMilliseconds(config.Timeouts.ConnectMs),
            MaxConnectionsPerServer = config.MaxConnections,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            // Re-resolve DNS now and then so a provider moving its endpoints is followed.
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            EnableMultipleHttp2Connections = true,
            // No distributed-tracing headers: upstreams are third parties.
            ActivityHeadersPropagator = null,
        };
        Invoker = new HttpMessageInvoker(_handler, disposeHandler: true);
        Breaker = new CircuitBreaker(config.CircuitBreaker.FailureThreshold,
            TimeSpan.FromMilliseconds(config.CircuitBreaker.OpenMs), time);
    }

    /// <summary>The provider's settings.</summary>
    public ProviderConfig Config { get; }

    /// <summary>The provider's name.</summary>
    public string Name => Config.Name;

    /// <summary><c>{baseUrl}/chat/completions</c>.</summary>
    public Uri ChatCompletionsUri { get; }

    /// <summary><c>{baseUrl}/embeddings</c>.</summary>
    public Uri EmbeddingsUri { get; }

    /// <summary>Headers sent with every request: credentials first, then configured extras.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>Client headers passed on when present.</summary>
    public IReadOnlyList<string> ForwardHeaders => Config.ForwardHeaders;

    /// <summary>Sends requests over the pooled connections; never buffers response bodies.</summary>
    public HttpMessageInvoker Invoker { get; }

    /// <summary>The provider's circuit breaker.</summary>
    public CircuitBreaker Breaker { get; }

    /// <inheritdoc />
    public void Dispose() => Invoker.Dispose();

    private static List<KeyValuePair<string, string>> BuildHeaders(ProviderConfig config, string? apiKey)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (!string.IsNullOrEmpty(apiKey))
        {
            var isAuthorization = string.Equals(config.ApiKeyHeader, "Authorization", StringComparison.OrdinalIgnoreCase);
            headers.Add(new(config.ApiKeyHeader, isAuthorization ? "Bearer " + apiKey : apiKey));
        }

        headers.AddRange(config.Headers);
        return headers;
    }
}
