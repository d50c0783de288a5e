using System.Collections.Concurrent;

namespace EdgeRouter.Diagnostics.Metrics;

/// <summary>The kinds of metric the registry exposes.</summary>
public enum MetricType
{
    /// <summary>Monotonic counter.</summary>
    Counter,

    /// <summary>Bucketed histogram.</summary>
    Histogram,

    /// <summary>Value read when scraped.</summary>
    Gauge,
}

/// <summary>A named metric with labels; each distinct set of label values is one series.</summary>
/// <typeparam name="TSeries">The series type.</typeparam>
public abstract class MetricFamily<TSeries>
    where TSeries : class
{
    private readonly ConcurrentDictionary<LabelValues, TSeries> _series = new();

    private protected MetricFamily(string name, string help, string[] labelNames)
    {
        if (labelNames.Length > 3)
        {
            throw new ArgumentException("At most three labels are supported.", nameof(labelNames));
        }

        Name = name;
        Help = help;
        LabelNames = labelNames;
    }

    /// <summary>Metric name, e.g. <c>edgerouter_requests_total</c>.</summary>
    public string Name { get; }

    /// <summary>Help text.</summary>
    public string Help { get; }

    /// <summary>Label names, in the order values are given.</summary>
    public IReadOnlyList<string> LabelNames { get; }

    /// <summary>The series for the given label values, created on first use.</summary>
    public TSeries WithLabels(string? first = null, string? second = null, string? third = null) =>
        _series.GetOrAdd(new LabelValues(first, second, third), static (_, family) => family.CreateSeries(), this);

    /// <summary>Every series created so far.</summary>
    public IEnumerable<KeyValuePair<LabelValues, TSeries>> Series => _series;

    private protected abstract TSeries CreateSeries();
}

/// <summary>A family of counters.</summary>
public sealed class CounterFamily : MetricFamily<Counter>
{
    internal CounterFamily(string name, string help, string[] labelNames)
        : base(name, help, labelNames)
    {
    }

    private protected override Counter CreateSeries() => new();
}

/// <summary>A family of histograms sharing bucket bounds.</summary>
public sealed class HistogramFamily : MetricFamily<Histogram>
{
    private readonly double[] _upperBounds;

    internal HistogramFamily(string name, string help, double[] upperBounds, string[] labelNames)
        : base(name, help, labelNames)
    {
        _upperBounds = upperBounds;
    }

    /// <summary>Bucket upper bounds shared by every series.</summary>
    public IReadOnlyList<double> UpperBounds => _upperBounds;

    private protected override Histogram CreateSeries() => new(_upperBounds);
}
