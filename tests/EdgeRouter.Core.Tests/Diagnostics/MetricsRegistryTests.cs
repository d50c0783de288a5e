using System.Buffers;
using System.Text;
using EdgeRouter.Diagnostics.Metrics;

namespace EdgeRouter.Tests.Diagnostics;

public class MetricsRegistryTests
{
    private static string Render(MetricsRegistry registry)
    {
        var buffer = new ArrayBufferWriter<byte>();
        registry.WriteTo(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void CountersRenderInPrometheusTextFormatWithEscapedLabels()
    {
        var registry = new MetricsRegistry();
        var requests = registry.Counter("edgerouter_requests_total", "Requests.", "route", "model");
        requests.WithLabels("auto", "sim/cheap").Increment();
        requests.WithLabels("auto", "sim/cheap").Add(2);
        requests.WithLabels("a\"b\\c\nd", "m").Increment();

        var text = Render(registry);

        Assert.Contains("# HELP edgerouter_requests_total Requests.\n# TYPE edgerouter_requests_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("edgerouter_requests_total{route=\"auto\",model=\"sim/cheap\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("edgerouter_requests_total{route=\"a\\\"b\\\\c\\nd\",model=\"m\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void HistogramBucketsAreCumulativeWithSumAndCount()
    {
        var registry = new MetricsRegistry();
        var latency = registry.Histogram("lat_seconds", "Latency.", [0.1, 1], "route");
        var series = latency.WithLabels("auto");
        series.Observe(0.05);
        series.Observe(0.1);
        series.Observe(0.5);
        series.Observe(7);

        var text = Render(registry);

        Assert.Contains("lat_seconds_bucket{route=\"auto\",le=\"0.1\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("lat_seconds_bucket{route=\"auto\",le=\"1\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("lat_seconds_bucket{route=\"auto\",le=\"+Inf\"} 4\n", text, StringComparison.Ordinal);
        Assert.Contains("lat_seconds_sum{route=\"auto\"} 7.65\n", text, StringComparison.Ordinal);
        Assert.Contains("lat_seconds_count{route=\"auto\"} 4\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void GaugesAreReadWhenScraped()
    {
        var registry = new MetricsRegistry();
        var value = 1.0;
        registry.Gauge("state", "State.", ["provider"], () => [(new LabelValues("sim"), value)]);
        value = 2;

        Assert.Contains("state{provider=\"sim\"} 2\n", Render(registry), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentIncrementsAreNotLost()
    {
        var counter = new MetricsRegistry().Counter("c", "C.").WithLabels();
        var histogram = new MetricsRegistry().Histogram("h", "H.", [1]).WithLabels();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 50_000; i++)
            {
                counter.Increment();
                histogram.Observe(0.5);
            }
        })));

        Assert.Equal(200_000, counter.Value);
        Assert.Equal(200_000, histogram.Count);
        Assert.Equal(100_000, histogram.Sum);
    }
}
