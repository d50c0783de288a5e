using BenchmarkDotNet.Attributes;
using EdgeRouter.Diagnostics;
using EdgeRouter.Diagnostics.Metrics;

namespace EdgeRouter.Benchmarks.Diagnostics;

/// <summary>The metrics a finished request records (the RequestRecorder's calls, without the log line).</summary>
public class MetricsBenchmarks
{
    private readonly GatewayMetrics _metrics = new(new MetricsRegistry());

    [Benchmark]
    public void RecordOneRequest()
    {
        _metrics.Requests.WithLabels("auto", "openai/gpt-4o-mini", "200").Increment();
        _metrics.Overhead.WithLabels("auto").Observe(0.00004);
        _metrics.Duration.WithLabels("auto").Observe(0.35);
        _metrics.Tokens.WithLabels("openai/gpt-4o-mini", "prompt").Add(24);
        _metrics.Tokens.WithLabels("openai/gpt-4o-mini", "completion").Add(120);
        _metrics.CostUsd.WithLabels("openai/gpt-4o-mini").Add(0.0000756);
    }
}
