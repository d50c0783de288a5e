namespace EdgeRouter.Diagnostics.Metrics;

/// <summary>Counts observations into fixed cumulative buckets, Prometheus style. Thread-safe and lock-free.</summary>
public sealed class Histogram
{
    private readonly double[] _upperBounds;
    private readonly long[] _counts; // per bucket, not cumulative; the last slot is +Inf
    private readonly Counter _sum = new();

    internal Histogram(double[] upperBounds)
    {
        _upperBounds = upperBounds;
        _counts = new long[upperBounds.Length + 1];
    }

    /// <summary>Bucket upper bounds, ascending, without +Inf.</summary>
    public IReadOnlyList<double> UpperBounds => _upperBounds;

    /// <summary>Total of all observed values.</summary>
    public double Sum => _sum.Value;

    /// <summary>Number of observations.</summary>
    public long Count
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _counts.Length; i++)
            {
                total += Interlocked.Read(ref _counts[i]);
            }

            return total;
        }
    }

    /// <summary>Records one observation.</summary>
    public void Observe(double value)
    {
        var index = Array.BinarySearch(_upperBounds, value);
        if (index < 0)
        {
            index = ~index; // first bound greater than the value; equal values land in their own bucket
        }

        Interlocked.Increment(ref _counts[index]);
        _sum.Add(value);
    }

    /// <summary>Copies the per-bucket counts (not cumulative; last is +Inf) into <paramref name="destination"/>.</summary>
    public void CopyCounts(Span<long> destination)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            destination[i] = Interlocked.Read(ref _counts[i]);
        }
    }
}
