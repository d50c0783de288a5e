namespace EdgeRouter.Routing.Evaluation;

/// <summary>
/// The strong-vs-weak routing metrics of RouteLLM (<c>routellm/evals/evaluate.py</c> and <c>benchmarks.py</c>,
/// lm-sys/RouteLLM): quality-versus-strong-call curves, AUC, APGR and CPT. Pure functions over spans; thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Every curve routes a prompt to the strong model when its score is at or above a threshold, so prompts with equal
/// scores are always routed together: ties are handled the same way on every run, whatever the input order.
/// </para>
/// <para>
/// <see cref="QuantileCurve"/> is RouteLLM's curve: thresholds at the score quantiles <c>0, 1/bins, …, 1</c>
/// (<c>pd.qcut(scores, bins, retbins=True)</c>, linear interpolation between order statistics), routing
/// <c>score ≥ threshold</c> for every edge but the last and <c>score &gt; max</c> (nothing) for the last, so the
/// curve runs from 0 % to 100 % strong calls in <c>bins</c> steps. Where ties make two edges equal,
/// RouteLLM's <c>pd.qcut</c> raises; here the repeated point is kept, which adds a zero-width trapezoid and changes
/// nothing.
/// </para>
/// <para>
/// <see cref="FullCurve"/> is the exact curve: prompts sorted by score, one point after every group of equal scores.
/// A straight line between two points is the expected quality when the cut falls inside a tie group and the group's
/// order is random, so a router whose scores are all equal gets the straight line from weak-only to strong-only
/// quality, the exact expectation of a random router (APGR 0.5).
/// </para>
/// </remarks>
public static class RouterMetrics
{
    /// <summary>RouteLLM's default number of quantile bins (<c>--num-results 10</c>).</summary>
    public const int RouteLlmBins = 10;

    /// <summary>
    /// RouteLLM's curve: one point per score-quantile threshold (<paramref name="bins"/> + 1 points from 0 % to
    /// 100 % strong calls), by ascending share.
    /// </summary>
    /// <param name="scores">Router score per prompt; higher means more likely to need the strong model.</param>
    /// <param name="strong">Strong model's quality per prompt.</param>
    /// <param name="weak">Weak model's quality per prompt.</param>
    /// <param name="bins">Number of quantile bins, ≥ 1.</param>
    /// <exception cref="ArgumentException">The spans differ in length, are empty, or a score is not finite.</exception>
    public static QualityCurve QuantileCurve(ReadOnlySpan<double> scores, ReadOnlySpan<double> strong, ReadOnlySpan<double> weak, int bins = RouteLlmBins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var ranked = Rank(scores, strong, weak);
        var ascending = ranked.SortedScores;
        var points = new CurvePoint[bins + 1];

        // numpy's linspace: edge i is i * (1 / bins), which is what pandas passes to the quantile.
        var step = 1.0 / bins;
        for (var i = bins; i >= 0; i--)
        {
            var threshold = Quantile(ascending, i * step);
            var strongCalls = i < bins ? CountAtLeast(ascending, threshold) : CountAbove(ascending, threshold);
            points[bins - i] = ranked.PointAt(strongCalls);
        }

        return new QualityCurve(points);
    }

    /// <summary>
    /// The exact curve: the weak-only point, then one point after each group of equal scores, taken from the highest
    /// score down, ending at the strong-only point.
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length, are empty, or a score is not finite.</exception>
    public static QualityCurve FullCurve(ReadOnlySpan<double> scores, ReadOnlySpan<double> strong, ReadOnlySpan<double> weak)
    {
        var ranked = Rank(scores, strong, weak);
        var ascending = ranked.SortedScores;
        var n = ascending.Length;
        var points = new List<CurvePoint>(n + 1) { ranked.PointAt(0) };
        for (var k = 1; k <= n; k++)
        {
            // The k highest scores are the last k entries; a point only where the next score down differs.
            if (k == n || ascending[n - k - 1] != ascending[n - k])
            {
                points.Add(ranked.PointAt(k));
            }
        }

        return new QualityCurve(points);
    }

    /// <summary>
    /// Average performance gap recovered: (AUC − AUC_weak) / (AUC_strong − AUC_weak), where AUC_weak and AUC_strong
    /// are the areas under the flat weak-only and strong-only lines over the same share range. 0 is no better than the
    /// weak model everywhere, 0.5 is a random router, 1 is the strong model's quality at every share. NaN when the
    /// two models have the same quality.
    /// </summary>
    public static double Apgr(QualityCurve curve, double strongOnly, double weakOnly)
    {
        ArgumentNullException.ThrowIfNull(curve);
        var span = curve.ShareSpan;
        var gap = (strongOnly - weakOnly) * span;
        return gap == 0 ? double.NaN : (curve.Area() - weakOnly * span) / gap;
    }

    /// <summary>
    /// Call-performance threshold CPT(<paramref name="gapFraction"/>): the smallest strong-call share (0–1) at which the
    /// interpolated curve reaches weak + <paramref name="gapFraction"/> · (strong − weak); see
    /// <see cref="QualityCurve.ShareToReach"/>.
    /// </summary>
    public static double Cpt(QualityCurve curve, double strongOnly, double weakOnly, double gapFraction)
    {
        ArgumentNullException.ThrowIfNull(curve);
        return curve.ShareToReach(weakOnly + gapFraction * (strongOnly - weakOnly));
    }

    /// <summary>
    /// The smallest strong-call share (0–1) at which quality reaches <paramref name="fraction"/> × the strong-only
    /// quality (RouteLLM's "95 % of GPT-4 quality" with 0.95). 0 when the weak model alone already gets there.
    /// </summary>
    public static double ShareForStrongQuality(QualityCurve curve, double strongOnly, double fraction = 0.95)
    {
        ArgumentNullException.ThrowIfNull(curve);
        return curve.ShareToReach(fraction * strongOnly);
    }

    /// <summary>
    /// Percentile bootstrap interval of the 10-bin APGR: prompts resampled with replacement
    /// <paramref name="resamples"/> times (seeded, so reproducible), each resample's curve and strong-only / weak-only
    /// qualities recomputed. Resamples where both models score the same are skipped. Tells how much of a difference
    /// between routers the benchmark's size can resolve.
    /// </summary>
    /// <returns>The (1 − <paramref name="confidence"/>)/2 and (1 + <paramref name="confidence"/>)/2 percentiles.</returns>
    public static (double Low, double High) BootstrapApgr(ReadOnlySpan<double> scores, ReadOnlySpan<double> strong, ReadOnlySpan<double> weak,
        int resamples = 1000, int seed = 1, double confidence = 0.95)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        if (strong.Length != scores.Length || weak.Length != scores.Length)
        {
            throw new ArgumentException($"{scores.Length} scores but {strong.Length} strong and {weak.Length} weak qualities.", nameof(scores));
        }

        var n = scores.Length;
        var (s, st, w) = (new double[n], new double[n], new double[n]);
        var values = new List<double>(resamples);
#pragma warning disable CA5394 // not security-sensitive: a reproducible resampling
        var random = new Random(seed);
        for (var b = 0; b < resamples; b++)
        {
            for (var i = 0; i < n; i++)
            {
                var j = random.Next(n);
                (s[i], st[i], w[i]) = (scores[j], strong[j], weak[j]);
            }

            var apgr = Apgr(QuantileCurve(s, st, w), st.Average(), w.Average());
            if (!double.IsNaN(apgr))
            {
                values.Add(apgr);
            }
        }
#pragma warning restore CA5394

        if (values.Count == 0)
        {
            return (double.NaN, double.NaN);
        }

        values.Sort();
        var tail = (1 - confidence) / 2;
        var sorted = values.ToArray();
        return (Quantile(sorted, tail), Quantile(sorted, 1 - tail));
    }

    /// <summary>
    /// ROC-AUC of <paramref name="scores"/> for <paramref name="labels"/> (Mann-Whitney U with average ranks for ties);
    /// NaN when one class is absent.
    /// </summary>
    public static double RocAuc(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        if (scores.Length != labels.Length)
        {
            throw new ArgumentException($"{scores.Length} scores but {labels.Length} labels.", nameof(labels));
        }

        var order = new int[scores.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var keys = scores.ToArray();
        Array.Sort(keys, order);
        double positiveRankSum = 0;
        long positives = 0;
        for (var i = 0; i < keys.Length;)
        {
            var j = i;
            while (j + 1 < keys.Length && keys[j + 1] == keys[i])
            {
                j++;
            }

            var rank = (i + j) / 2.0 + 1;
            for (var k = i; k <= j; k++)
            {
                if (labels[order[k]])
                {
                    positiveRankSum += rank;
                    positives++;
                }
            }

            i = j + 1;
        }

        long negatives = keys.Length - positives;
        return positives == 0 || negatives == 0
            ? double.NaN
            : (positiveRankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>
    /// The <paramref name="q"/>-quantile of ascending <paramref name="sorted"/> values with linear interpolation,
    /// computed as numpy does (<c>a + (b − a)·t</c> for t &lt; 0.5, <c>b − (b − a)·(1 − t)</c> otherwise), so
    /// thresholds equal pandas' bit for bit when the inputs do.
    /// </summary>
    public static double Quantile(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.IsEmpty)
        {
            throw new ArgumentException("No values.", nameof(sorted));
        }

        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        if (below >= sorted.Length - 1)
        {
            return sorted[^1];
        }

        if (below < 0)
        {
            return sorted[0];
        }

        var t = position - below;
        var (a, b) = (sorted[below], sorted[below + 1]);
        var difference = b - a;
        return t >= 0.5 ? b - difference * (1 - t) : a + difference * t;
    }

    private static int CountAtLeast(ReadOnlySpan<double> ascending, double threshold)
    {
        // Index of the first value >= threshold.
        int lo = 0, hi = ascending.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (ascending[mid] < threshold)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return ascending.Length - lo;
    }

    private static int CountAbove(ReadOnlySpan<double> ascending, double threshold)
    {
        int lo = 0, hi = ascending.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (ascending[mid] <= threshold)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return ascending.Length - lo;
    }

    private static Ranked Rank(ReadOnlySpan<double> scores, ReadOnlySpan<double> strong, ReadOnlySpan<double> weak)
    {
        if (scores.IsEmpty)
        {
            throw new ArgumentException("No scores.", nameof(scores));
        }

        if (strong.Length != scores.Length || weak.Length != scores.Length)
        {
            throw new ArgumentException($"{scores.Length} scores but {strong.Length} strong and {weak.Length} weak qualities.", nameof(scores));
        }

        var n = scores.Length;
        var rows = new (double Score, double Gain)[n];
        var weakTotal = 0.0;
        for (var i = 0; i < n; i++)
        {
            if (!double.IsFinite(scores[i]))
            {
                throw new ArgumentException($"Score {i} is {scores[i]}; scores must be finite.", nameof(scores));
            }

            rows[i] = (scores[i], strong[i] - weak[i]);
            weakTotal += weak[i];
        }

        // Ascending by score, then by gain: only sums over whole tie groups are read, and ordering a group by gain
        // makes even their rounding independent of the input order.
        Array.Sort(rows);
        var keys = new double[n];
        var prefix = new double[n + 1];
        for (var k = 1; k <= n; k++)
        {
            keys[k - 1] = rows[k - 1].Score;
            prefix[k] = prefix[k - 1] + rows[n - k].Gain;
        }

        return new Ranked(keys, prefix, weakTotal);
    }

    /// <summary>Scores ascending, and the quality gain of sending the k highest-scored prompts to the strong model.</summary>
    private sealed class Ranked(double[] sortedScores, double[] gainOfTop, double weakTotal)
    {
        public double[] SortedScores => sortedScores;

        public CurvePoint PointAt(int strongCalls)
        {
            var n = sortedScores.Length;
            return new CurvePoint((double)strongCalls / n, (weakTotal + gainOfTop[strongCalls]) / n);
        }
    }
}
