using System.Diagnostics;

namespace EdgeRouter.Routing.Evaluation;

/// <summary>
/// Scores a benchmark with a router and computes both curves and their metrics. A stochastic router is given as
/// several seeded scorers; their curves are averaged pointwise (the expected curve) and the metrics are read off
/// that average, as RouteLLM averages its random router. Thread-safe.
/// </summary>
public static class RouterEvaluator
{
    /// <summary>Bootstrap resamples for the APGR interval of a single-run router.</summary>
    public const int BootstrapResamples = 1000;

    /// <summary>Evaluates one deterministic router.</summary>
    /// <exception cref="InvalidOperationException">The scorer returned the wrong number of scores or a non-finite one.</exception>
    public static RouterEvaluation Evaluate(RouterBenchmark benchmark, IRouterScorer scorer)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        return Evaluate(benchmark, [scorer]);
    }

    /// <summary>
    /// Evaluates a router given as one or more runs (e.g. a random router under several seeds); the result carries
    /// the first run's name and description.
    /// </summary>
    /// <exception cref="InvalidOperationException">A scorer returned the wrong number of scores or a non-finite one.</exception>
    public static RouterEvaluation Evaluate(RouterBenchmark benchmark, IReadOnlyList<IRouterScorer> runs)
    {
        ArgumentNullException.ThrowIfNull(benchmark);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentOutOfRangeException.ThrowIfZero(runs.Count);
        var started = Stopwatch.GetTimestamp();
        var scored = runs.Select(r => Checked(r, benchmark)).ToList();
        var elapsed = Stopwatch.GetElapsedTime(started);
        return Evaluate(benchmark, runs[0].Name, runs[0].Description, scored, elapsed);
    }

    /// <summary>Computes the metrics of scores already computed (one array per run).</summary>
    /// <exception cref="ArgumentException">A run has the wrong number of scores or a non-finite one.</exception>
    public static RouterEvaluation Evaluate(RouterBenchmark benchmark, string router, string description, IReadOnlyList<double[]> runs, TimeSpan scoringTime = default)
    {
        ArgumentNullException.ThrowIfNull(benchmark);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentOutOfRangeException.ThrowIfZero(runs.Count);
        var strong = benchmark.StrongQuality;
        var weak = benchmark.WeakQuality;
        var needsStrong = benchmark.NeedsStrong;
        var quantile = new List<QualityCurve>(runs.Count);
        var full = new List<QualityCurve>(runs.Count);
        var auc = 0.0;
        var (strongOnly, weakOnly) = (benchmark.StrongOnlyQuality, benchmark.WeakOnlyQuality);
        foreach (var scores in runs)
        {
            quantile.Add(RouterMetrics.QuantileCurve(scores, strong, weak));
            full.Add(RouterMetrics.FullCurve(scores, strong, weak));
            auc += RouterMetrics.RocAuc(scores, needsStrong);
        }

        var interval = runs.Count == 1
            ? RouterMetrics.BootstrapApgr(runs[0], strong, weak, BootstrapResamples)
            : (double.NaN, double.NaN);
        return new RouterEvaluation(
            router,
            description,
            runs.Count,
            CurveMetrics.Of(QualityCurve.Average(quantile), strongOnly, weakOnly),
            CurveMetrics.Of(QualityCurve.Average(full), strongOnly, weakOnly),
            auc / runs.Count,
            scoringTime,
            [.. quantile.Select(c => RouterMetrics.Apgr(c, strongOnly, weakOnly))],
            interval);
    }

    private static double[] Checked(IRouterScorer scorer, RouterBenchmark benchmark)
    {
        var scores = scorer.Score(benchmark.Samples);
        if (scores.Length != benchmark.Count)
        {
            throw new InvalidOperationException($"Router '{scorer.Name}' returned {scores.Length} scores for {benchmark.Count} prompts of {benchmark.Name}.");
        }

        var bad = Array.FindIndex(scores, s => !double.IsFinite(s));
        return bad < 0
            ? scores
            : throw new InvalidOperationException($"Router '{scorer.Name}' gave prompt {bad} of {benchmark.Name} the score {scores[bad]}; scores must be finite.");
    }
}
