using System.Buffers;
using System.Globalization;
using System.Text;

namespace EdgeRouter.Diagnostics.Metrics;

/// <summary>
/// Holds metric families and renders them in the Prometheus text exposition format (version 0.0.4).
/// Registration happens at startup; recording and rendering are thread-safe.
/// </summary>
public sealed class MetricsRegistry
{
    private readonly List<object> _families = [];
    private readonly Lock _gate = new();

    /// <summary>Registers a counter family.</summary>
    public CounterFamily Counter(string name, string help, params string[] labelNames) =>
        Add(new CounterFamily(name, help, labelNames));

    /// <summary>Registers a histogram family with ascending <paramref name="upperBounds"/>.</summary>
    public HistogramFamily Histogram(string name, string help, double[] upperBounds, params string[] labelNames)
    {
        ArgumentNullException.ThrowIfNull(upperBounds);
        for (var i = 1; i < upperBounds.Length; i++)
        {
            if (!(upperBounds[i] > upperBounds[i - 1]))
            {
                throw new ArgumentException("Bucket bounds must be strictly ascending.", nameof(upperBounds));
            }
        }

        return Add(new HistogramFamily(name, help, upperBounds, labelNames));
    }

    /// <summary>Registers a gauge whose series are read from <paramref name="read"/> at scrape time.</summary>
    public void Gauge(string name, string help, string[] labelNames, Func<IEnumerable<(LabelValues Labels, double Value)>> read) =>
        Add(new GaugeFamily(name, help, labelNames, read));

    /// <summary>Renders every family.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        object[] families;
        lock (_gate)
        {
            families = [.. _families];
        }

        var text = new StringBuilder(4096);
        foreach (var family in families)
        {
            switch (family)
            {
                case CounterFamily counters:
                    Header(text, counters.Name, counters.Help, "counter");
                    foreach (var (labels, counter) in Sorted(counters.Series))
                    {
                        Sample(text, counters.Name, counters.LabelNames, labels, null, counter.Value);
                    }

                    break;
                case HistogramFamily histograms:
                    Header(text, histograms.Name, histograms.Help, "histogram");
                    WriteHistograms(text, histograms);
                    break;
                case GaugeFamily gauges:
                    Header(text, gauges.Name, gauges.Help, "gauge");
                    foreach (var (labels, value) in gauges.Read())
                    {
                        Sample(text, gauges.Name, gauges.LabelNames, labels, null, value);
                    }

                    break;
            }
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        output.Write(bytes);
    }

    private T Add<T>(T family)
        where T : class
    {
        lock (_gate)
        {
            _families.Add(family);
        }

        return family;
    }

    private static void WriteHistograms(StringBuilder text, HistogramFamily family)
    {
        var bounds = family.UpperBounds;
        Span<long> counts = stackalloc long[bounds.Count + 1];
        foreach (var (labels, histogram) in Sorted(family.Series))
        {
            histogram.CopyCounts(counts);
            long cumulative = 0;
            for (var i = 0; i < bounds.Count; i++)
            {
                cumulative += counts[i];
                Sample(text, family.Name + "_bucket", family.LabelNames, labels, Format(bounds[i]), cumulative);
            }

            cumulative += counts[bounds.Count];
            Sample(text, family.Name + "_bucket", family.LabelNames, labels, "+Inf", cumulative);
            Sample(text, family.Name + "_sum", family.LabelNames, labels, null, histogram.Sum);
            Sample(text, family.Name + "_count", family.LabelNames, labels, null, cumulative);
        }
    }

    private static IEnumerable<KeyValuePair<LabelValues, T>> Sorted<T>(IEnumerable<KeyValuePair<LabelValues, T>> series) =>
        series.OrderBy(p => p.Key.First, StringComparer.Ordinal)
            .ThenBy(p => p.Key.Second, StringComparer.Ordinal)
            .ThenBy(p => p.Key.Third, StringComparer.Ordinal);

    private static void Header(StringBuilder text, string name, string help, string type) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string name, IReadOnlyList<string> labelNames, LabelValues labels, string? le, double value)
    {
        text.Append(name);
        if (labelNames.Count > 0 || le is not null)
        {
            text.Append('{');
            var first = true;
            for (var i = 0; i < labelNames.Count; i++)
            {
                if (!first)
                {
                    text.Append(',');
                }

                first = false;
                text.Append(labelNames[i]).Append("=\"");
                Escape(text, labels[i] ?? "");
                text.Append('"');
            }

            if (le is not null)
            {
                if (!first)
                {
                    text.Append(',');
                }

                text.Append("le=\"").Append(le).Append('"');
            }

            text.Append('}');
        }

        text.Append(' ').Append(Format(value)).Append('\n');
    }

    private static void Escape(StringBuilder text, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    text.Append("\\\\");
                    break;
                case '"':
                    text.Append("\\\"");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }
    }

    private static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private sealed class GaugeFamily(string name, string help, string[] labelNames, Func<IEnumerable<(LabelValues, double)>> read)
    {
        public string Name { get; } = name;

        public string Help { get; } = help;

        public IReadOnlyList<string> LabelNames { get; } = labelNames;

        public IEnumerable<(LabelValues Labels, double Value)> Read() => read();
    }
}
