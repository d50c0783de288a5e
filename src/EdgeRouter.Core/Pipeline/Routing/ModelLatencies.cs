using System.Collections.Concurrent;

namespace EdgeRouter.Pipeline.Routing;

/// <summary>
/// Live latency of each concrete model, as exponentially weighted moving averages of time to first byte and of the
/// whole exchange, fed by every answered request. Process-wide and thread-safe; survives config reloads.
/// </summary>
public sealed class ModelLatencies
{
    private readonly ConcurrentDictionary<string, Entry> _models = new(StringComparer.Ordinal);
    private readonly double _alpha;

    /// <summary>Creates the tracker.</summary>
    /// <param name="alpha">Weight of the newest sample in (0, 1]; 0.1 follows a change within a few dozen requests.</param>
    public ModelLatencies(double alpha = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(alpha);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(alpha, 1.0);
        _alpha = alpha;
    }

    /// <summary>Adds one answered exchange of <paramref name="modelId"/>.</summary>
    /// <param name="modelId">The concrete model id.</param>
    /// <param name="timeToFirstByteMs">Upstream time to first byte, in milliseconds (≤ 0 when unknown).</param>
    /// <param name="totalMs">Whole exchange, in milliseconds.</param>
    public void Observe(string modelId, double timeToFirstByteMs, double totalMs)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        if (!double.IsFinite(totalMs) || totalMs < 0)
        {
            return;
        }

        var entry = _models.GetOrAdd(modelId, static _ => new Entry());
        lock (entry)
        {
            var first = timeToFirstByteMs > 0 && double.IsFinite(timeToFirstByteMs) ? timeToFirstByteMs : totalMs;
            if (entry.Samples == 0)
            {
                entry.FirstByteMs = first;
                entry.TotalMs = totalMs;
            }
            else
            {
                entry.FirstByteMs += _alpha * (first - entry.FirstByteMs);
                entry.TotalMs += _alpha * (totalMs - entry.TotalMs);
            }

            entry.Samples++;
        }
    }

    /// <summary>The current estimate for <paramref name="modelId"/>, or false when it has never answered.</summary>
    public bool TryGet(string modelId, out LatencyEstimate estimate)
    {
        if (_models.TryGetValue(modelId, out var entry))
        {
            lock (entry)
            {
                estimate = new LatencyEstimate(entry.FirstByteMs, entry.TotalMs, entry.Samples);
                return entry.Samples > 0;
            }
        }

        estimate = default;
        return false;
    }

    private sealed class Entry
    {
        public double FirstByteMs;
        public double TotalMs;
        public long Samples;
    }
}

/// <summary>A model's smoothed latency.</summary>
/// <param name="FirstByteMs">Time to first byte, milliseconds.</param>
/// <param name="TotalMs">Whole exchange, milliseconds.</param>
/// <param name="Samples">Exchanges observed.</param>
public readonly record struct LatencyEstimate(double FirstByteMs, double TotalMs, long Samples);
