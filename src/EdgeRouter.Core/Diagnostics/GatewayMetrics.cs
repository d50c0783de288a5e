using EdgeRouter.Diagnostics.Metrics;

namespace EdgeRouter.Diagnostics;

/// <summary>The gateway's Prometheus metrics. One instance per process; thread-safe.</summary>
public sealed class GatewayMetrics
{
    // Gateway overhead is expected in the tens of microseconds to a few milliseconds.
    private static readonly double[] OverheadBuckets =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1];

    // Upstream latencies span a cache-speed simulator to multi-minute reasoning models.
    private static readonly double[] LatencyBuckets =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    /// <summary>Creates the metrics in <paramref name="registry"/>.</summary>
    public GatewayMetrics(MetricsRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        Registry = registry;
        Requests = registry.Counter("edgerouter_requests_total",
            "Chat completion requests by route, answering model and HTTP status.", "route", "model", "status");
        Overhead = registry.Histogram("edgerouter_overhead_seconds",
            "Time spent in the gateway per request, upstream waits excluded.", OverheadBuckets, "route");
        Duration = registry.Histogram("edgerouter_request_duration_seconds",
            "Total request latency as seen by the gateway.", LatencyBuckets, "route");
        UpstreamTimeToFirstByte = registry.Histogram("edgerouter_upstream_ttfb_seconds",
            "Time from sending an upstream request to its first response body byte.", LatencyBuckets, "provider", "model");
        UpstreamAttempts = registry.Counter("edgerouter_upstream_attempts_total",
            "Upstream attempts by provider and outcome.", "provider", "outcome");
        Tokens = registry.Counter("edgerouter_tokens_total",
            "Tokens reported by upstreams, by model and kind (prompt or completion).", "model", "kind");
        CostUsd = registry.Counter("edgerouter_cost_usd_total",
            "Cost of answered requests in US dollars at the configured prices.", "model");
        ConfigReloads = registry.Counter("edgerouter_config_reloads_total",
            "Configuration reloads by result (applied or rejected).", "result");
    }

    /// <summary>The registry rendered by <c>GET /metrics</c>.</summary>
    public MetricsRegistry Registry { get; }

    /// <summary><c>edgerouter_requests_total{route,model,status}</c>.</summary>
    public CounterFamily Requests { get; }

    /// <summary><c>edgerouter_overhead_seconds{route}</c>.</summary>
    public HistogramFamily Overhead { get; }

    /// <summary><c>edgerouter_request_duration_seconds{route}</c>.</summary>
    public HistogramFamily Duration { get; }

    /// <summary><c>edgerouter_upstream_ttfb_seconds{provider,model}</c>.</summary>
    public HistogramFamily UpstreamTimeToFirstByte { get; }

    /// <summary><c>edgerouter_upstream_attempts_total{provider,outcome}</c>.</summary>
    public CounterFamily UpstreamAttempts { get; }

    /// <summary><c>edgerouter_tokens_total{model,kind}</c>.</summary>
    public CounterFamily Tokens { get; }

    /// <summary><c>edgerouter_cost_usd_total{model}</c>.</summary>
    public CounterFamily CostUsd { get; }

    /// <summary><c>edgerouter_config_reloads_total{result}</c>.</summary>
    public CounterFamily ConfigReloads { get; }
}
