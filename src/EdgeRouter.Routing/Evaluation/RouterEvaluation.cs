namespace EdgeRouter.Routing.Evaluation;

/// <summary>The metrics of one curve: RouteLLM's 10-bin curve or the exact full curve.</summary>
/// <param name="Curve">The curve they were computed on.</param>
/// <param name="Auc">Area under the curve (quality units × share), trapezoid rule.</param>
/// <param name="Apgr">Average performance gap recovered; 0.5 is random, 1 the strong model everywhere.</param>
/// <param name="Cpt50">Strong-call share (0–1) that recovers 50 % of the quality gap; NaN if never.</param>
/// <param name="Cpt80">Strong-call share (0–1) that recovers 80 % of the quality gap; NaN if never.</param>
/// <param name="ShareFor95">Strong-call share (0–1) at which quality reaches 95 % of the strong-only quality; 0 when the weak model alone does.</param>
public sealed record CurveMetrics(QualityCurve Curve, double Auc, double Apgr, double Cpt50, double Cpt80, double ShareFor95)
{
    /// <summary>Computes every metric of <paramref name="curve"/> for a benchmark with these strong-only and weak-only qualities.</summary>
    public static CurveMetrics Of(QualityCurve curve, double strongOnly, double weakOnly)
    {
        ArgumentNullException.ThrowIfNull(curve);
        return new CurveMetrics(
            curve,
            curve.Area(),
            RouterMetrics.Apgr(curve, strongOnly, weakOnly),
            RouterMetrics.Cpt(curve, strongOnly, weakOnly, 0.5),
            RouterMetrics.Cpt(curve, strongOnly, weakOnly, 0.8),
            RouterMetrics.ShareForStrongQuality(curve, strongOnly, 0.95));
    }
}

/// <summary>How one router did on one benchmark.</summary>
/// <param name="Router">The router's name.</param>
/// <param name="Description">What its score is.</param>
/// <param name="Runs">Number of scored runs averaged (1 unless the router is stochastic).</param>
/// <param name="Quantile">Metrics of RouteLLM's curve (thresholds at the 10 score-quantile bins), averaged over runs pointwise.</param>
/// <param name="Full">Metrics of the exact curve (every cut between distinct scores), averaged over runs pointwise.</param>
/// <param name="RocAuc">
/// ROC-AUC of the score for the benchmark's <see cref="RouterBenchmark.NeedsStrong"/> label, mean over runs; NaN when
/// one class is absent.
/// </param>
/// <param name="ScoringTime">Wall time spent scoring the benchmark, all runs together.</param>
/// <param name="RunApgrs">The 10-bin APGR of each run on its own (one entry for a deterministic router).</param>
/// <param name="ApgrInterval">
/// 95 % bootstrap interval of the 10-bin APGR over prompts (see <see cref="RouterMetrics.BootstrapApgr"/>), for a
/// single-run router; NaN otherwise (a stochastic router's spread is in <paramref name="RunApgrs"/>).
/// </param>
public sealed record RouterEvaluation(
    string Router, string Description, int Runs, CurveMetrics Quantile, CurveMetrics Full, double RocAuc, TimeSpan ScoringTime,
    IReadOnlyList<double> RunApgrs, (double Low, double High) ApgrInterval);

/// <summary>Every router evaluated on one benchmark.</summary>
/// <param name="Benchmark">The benchmark.</param>
/// <param name="Routers">One evaluation per router, in the order they were given.</param>
public sealed record BenchmarkEvaluation(RouterBenchmark Benchmark, IReadOnlyList<RouterEvaluation> Routers);
