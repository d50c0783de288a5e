namespace EdgeRouter.Routing.Evaluation;

/// <summary>A threshold chosen for a target strong-call share.</summary>
/// <param name="Threshold">Route to the strong model when the score is above it (strictly; no sample score equals it, so ≥ routes the same).</param>
/// <param name="StrongCalls">Sample prompts routed to the strong model at that threshold.</param>
/// <param name="Total">Sample size.</param>
public readonly record struct ThresholdChoice(double Threshold, int StrongCalls, int Total)
{
    /// <summary>The share of the sample routed to the strong model.</summary>
    public double AchievedShare => (double)StrongCalls / Total;
}

/// <summary>Chooses a router threshold from a traffic sample. Pure; thread-safe.</summary>
public static class ThresholdCalibration
{
    /// <summary>
    /// The threshold that sends the share of <paramref name="scores"/> closest to <paramref name="share"/> to the
    /// strong model. Prompts with equal scores are routed together, so with ties the achieved share can differ from
    /// the target (the nearer boundary wins; on a tie, the cheaper one). The threshold lies strictly between the
    /// last routed and the first unrouted score, and is the shortest decimal that does.
    /// </summary>
    /// <exception cref="ArgumentException">No scores, a non-finite score, or a share outside [0, 1].</exception>
    public static ThresholdChoice ForStrongShare(ReadOnlySpan<double> scores, double share)
    {
        if (scores.IsEmpty)
        {
            throw new ArgumentException("The sample has no scores.", nameof(scores));
        }

        if (!(share is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(share), share, "The strong share must be in [0, 1].");
        }

        var sorted = scores.ToArray();
        if (sorted.Any(s => !double.IsFinite(s)))
        {
            throw new ArgumentException("Every score must be finite.", nameof(scores));
        }

        Array.Sort(sorted, (a, b) => b.CompareTo(a));
        var n = sorted.Length;
        var target = share * n;

        // Cut positions k where the k highest scores can be separated from the rest: 0, n, and every change of value.
        var best = -1;
        for (var k = 0; k <= n; k++)
        {
            if (k > 0 && k < n && sorted[k - 1] == sorted[k])
            {
                continue;
            }

            if (best < 0 || Math.Abs(k - target) < Math.Abs(best - target))
            {
                best = k;
            }
        }

        var threshold = best == 0 ? Above(sorted[0])
            : best == n ? Below(sorted[n - 1])
            : Between(sorted[best], sorted[best - 1]);
        return new ThresholdChoice(threshold, best, n);
    }

    /// <summary>The shortest decimal strictly between <paramref name="low"/> and <paramref name="high"/> (low &lt; high).</summary>
    internal static double Between(double low, double high)
    {
        for (var digits = 0; digits <= 15; digits++)
        {
            var scale = Math.Pow(10, digits);
            var candidate = Math.Round(Math.Floor(low * scale + 1) / scale, digits);
            if (candidate > low && candidate < high)
            {
                return candidate;
            }
        }

        return low + (high - low) / 2;
    }

    private static double Above(double value)
    {
        var candidate = Math.Floor(value) + 1;
        return candidate > value ? candidate : value + Math.Max(1, Math.Abs(value));
    }

    private static double Below(double value)
    {
        var candidate = Math.Ceiling(value) - 1;
        return candidate < value ? candidate : value - Math.Max(1, Math.Abs(value));
    }
}
