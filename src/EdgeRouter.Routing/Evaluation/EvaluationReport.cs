using System.Globalization;
using System.Text;

namespace EdgeRouter.Routing.Evaluation;

/// <summary>What the report says besides the numbers.</summary>
public sealed record EvaluationReportOptions
{
    /// <summary>The command that produced the report, shown verbatim.</summary>
    public string Command { get; init; } = "";

    /// <summary>When it was produced.</summary>
    public DateTimeOffset Generated { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>Wall time of the whole run, when known.</summary>
    public TimeSpan? RunTime { get; init; }

    /// <summary>The number of training rows the routers were trained or tuned on.</summary>
    public int TrainingRows { get; init; }

    /// <summary>Extra lines about how routers were built (e.g. the chosen penalty), as Markdown list items.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The router whose APGR is checked against <see cref="ApgrTargets"/>.</summary>
    public string TargetRouter { get; init; } = "learned";

    /// <summary>APGR (10-bin) targets per benchmark name.</summary>
    public IReadOnlyDictionary<string, double> ApgrTargets { get; init; } = new Dictionary<string, double>();
}

/// <summary>Writes evaluation results as a Markdown report and a CSV of the curves. Pure; thread-safe.</summary>
public static class EvaluationReport
{
    /// <summary>Strong-share step of the sampled exact curve in the CSV and the plots.</summary>
    public const double SampleStep = 0.005;

    /// <summary>RouteLLM's headline, quoted in the MT-Bench section.</summary>
    public const string RouteLlmHeadline =
        "RouteLLM paper (Ong et al., arXiv:2406.18665) headline: its best router keeps 95 % of GPT-4's quality on MT-Bench " +
        "with 26 % GPT-4 calls, and with 14 % when trained with its augmented data. Its routers learn from human " +
        "preference data plus augmentation (see the paper), ours from MMLU train only.";

    /// <summary>The Markdown report.</summary>
    public static string Markdown(IReadOnlyList<BenchmarkEvaluation> results, EvaluationReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(options);
        var md = new StringBuilder();
        void Line(FormattableString text) => md.Append(text.ToString(CultureInfo.InvariantCulture)).Append('\n');

        Line($"# Router evaluation: {RouterData.StrongModel} (strong) vs {RouterData.WeakModel} (weak)");
        Line($"");
        Line($"Produced by `{options.Command}` on {options.Generated:yyyy-MM-dd}{(options.RunTime is { } t ? string.Create(CultureInfo.InvariantCulture, $" in {t.TotalSeconds:F1} s") : "")}.");
        Line($"Per-prompt results of both models come from RouteLLM's released data (`router/` of the shared data folder).");
        Line($"Every router and baseline was trained or tuned on MMLU `train` only ({options.TrainingRows:N0} rows); the rows below are");
        Line($"evaluation rows (MMLU `test`, all of GSM8K, all of MT-Bench), with rows marked `contaminated` removed as RouteLLM does.");
        Line($"");
        Line($"Routers (score = higher means more likely to need the strong model):");
        Line($"");
        foreach (var router in results.SelectMany(r => r.Routers).DistinctBy(r => r.Router))
        {
            Line($"- `{router.Router}`: {router.Description}{(router.Runs > 1 ? string.Create(CultureInfo.InvariantCulture, $"; {router.Runs} seeded runs, curves averaged pointwise") : "")}.");
        }

        foreach (var note in options.Notes)
        {
            Line($"- {note}");
        }

        Line($"");
        Line($"## Metrics");
        Line($"");
        Line($"As RouteLLM computes them (`routellm/evals/evaluate.py`, `benchmarks.py`):");
        Line($"");
        Line($"- **10-bin curve** (RouteLLM's): thresholds at the 11 edges of 10 score-quantile bins (`pd.qcut`); a prompt goes to the strong model when its score is ≥ the threshold (nothing for the top edge), giving 11 (strong-call %, quality) points from 0 % to 100 %.");
        Line($"- **Full curve** (exact): prompts sorted by score, one point after every group of equal scores; a segment across a tie group is the expected quality under a random order of the group, so ties are deterministic.");
        Line($"- **AUC**: trapezoid area under quality vs strong-call fraction (0–1), in the benchmark's quality unit. **APGR** = (AUC − AUC_weak) / (AUC_strong − AUC_weak): 0.5 is random, 1 is strong-model quality at every share.");
        Line($"- **CPT(50 %)**, **CPT(80 %)**: strong-call % at which the linearly interpolated 10-bin curve first reaches weak + 50 % / 80 % of the strong − weak gap (RouteLLM's `np.interp`).");
        Line($"- **95 % share**: strong-call % at which the 10-bin curve first reaches 0.95 × strong-only quality (0 when the weak model alone gets there).");
        Line($"- **ROC-AUC**: of the score for the benchmark's needs-strong label (MMLU, GSM8K: weak model wrong, the router head's training label; MT-Bench: strong score > weak score).");
        Line($"- `random`: uniform scores under seeds 0–9, curves averaged pointwise; its exact expectation is the straight line (APGR 0.5).");
        Line($"- **Spread**: 95 % bootstrap interval of the 10-bin APGR ({RouterEvaluator.BootstrapResamples} resamples of the prompts, seeded); for `random`, the range over its seeds. Differences between routers well inside these intervals are not resolved by the benchmark.");
        Line($"");

        if (options.ApgrTargets.Count > 0)
        {
            Line($"## Targets");
            Line($"");
            Line($"| benchmark | `{options.TargetRouter}` APGR (10-bin) | APGR (full curve) | target | met |");
            Line($"|---|---:|---:|---:|---|");
            foreach (var result in results)
            {
                var router = result.Routers.FirstOrDefault(r => r.Router == options.TargetRouter);
                if (router is null || !options.ApgrTargets.TryGetValue(result.Benchmark.Name, out var target))
                {
                    continue;
                }

                Line($"| {result.Benchmark.Title} | {router.Quantile.Apgr:F3} | {router.Full.Apgr:F3} | ≥ {target:F2} | {(router.Quantile.Apgr >= target ? "yes" : "**no**")} |");
            }

            Line($"");
        }

        foreach (var result in results)
        {
            var b = result.Benchmark;
            Line($"## {b.Title}");
            Line($"");
            Line($"n = {b.Count:N0} prompts ({b.ExcludedContaminated} contaminated removed). Strong only: {b.StrongOnlyQuality:F2}, weak only: {b.WeakOnlyQuality:F2} ({b.QualityUnit}); 95 % of strong = {0.95 * b.StrongOnlyQuality:F2}, which is {PgrOf(b, 0.95 * b.StrongOnlyQuality):F3} of the gap.");
            Line($"");
            Line($"| router | APGR (10-bin) | APGR (full curve) | CPT(50 %) | CPT(80 %) | strong share for 95 % of strong quality | AUC (10-bin) | ROC-AUC ({b.NeedsStrongDefinition}) | APGR (10-bin) spread |");
            Line($"|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var r in result.Routers)
            {
                Line($"| `{r.Router}` | {r.Quantile.Apgr:F3} | {r.Full.Apgr:F3} | {Percent(r.Quantile.Cpt50)} | {Percent(r.Quantile.Cpt80)} | {Percent(r.Quantile.ShareFor95)} | {r.Quantile.Auc:F3} | {r.RocAuc:F3} | {Spread(r)} |");
            }

            Line($"");
            Line($"The same read off the exact full curve:");
            Line($"");
            Line($"| router | CPT(50 %) | CPT(80 %) | strong share for 95 % | AUC |");
            Line($"|---|---:|---:|---:|---:|");
            foreach (var r in result.Routers)
            {
                Line($"| `{r.Router}` | {Percent(r.Full.Cpt50)} | {Percent(r.Full.Cpt80)} | {Percent(r.Full.ShareFor95)} | {r.Full.Auc:F3} |");
            }

            Line($"");
            if (b.Name == "mt-bench")
            {
                Line($"{RouteLlmHeadline} Not directly comparable: different training data, and {b.Count} prompts here, so one prompt moves a share by {100.0 / b.Count:F1} points.");
                Line($"");
            }

            Line($"![{b.Title}]({b.Name}.svg)");
            Line($"");
        }

        Line($"Curves: `curves.csv` (10-bin points, and the exact curve sampled every {SampleStep * 100:F1} % of strong calls).");
        return md.ToString();
    }

    /// <summary>
    /// The curves as CSV: <c>benchmark,router,curve,strong_calls_pct,quality</c>, with <c>curve</c> = <c>10-bin</c>
    /// (RouteLLM's points) or <c>full</c> (the exact curve sampled every <see cref="SampleStep"/>).
    /// </summary>
    public static string Csv(IReadOnlyList<BenchmarkEvaluation> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var csv = new StringBuilder("benchmark,router,curve,strong_calls_pct,quality\n");
        foreach (var result in results)
        {
            foreach (var router in result.Routers)
            {
                foreach (var p in router.Quantile.Curve.Points)
                {
                    csv.Append(CultureInfo.InvariantCulture, $"{result.Benchmark.Name},{router.Router},10-bin,{p.StrongShare * 100:0.###},{p.Quality:0.#####}\n");
                }

                foreach (var p in Sample(router.Full.Curve))
                {
                    csv.Append(CultureInfo.InvariantCulture, $"{result.Benchmark.Name},{router.Router},full,{p.StrongShare * 100:0.###},{p.Quality:0.#####}\n");
                }
            }
        }

        return csv.ToString();
    }

    /// <summary>The curve at every <see cref="SampleStep"/> of strong share, 0 to 1 inclusive.</summary>
    public static IReadOnlyList<CurvePoint> Sample(QualityCurve curve)
    {
        ArgumentNullException.ThrowIfNull(curve);
        var steps = (int)Math.Round(1 / SampleStep);
        return [.. Enumerable.Range(0, steps + 1).Select(i => (double)i / steps).Select(s => new CurvePoint(s, curve.QualityAt(s)))];
    }

    private static string Spread(RouterEvaluation r) => r.Runs > 1
        ? string.Create(CultureInfo.InvariantCulture, $"seeds {r.RunApgrs.Min():F3}–{r.RunApgrs.Max():F3}")
        : double.IsNaN(r.ApgrInterval.Low) ? "–" : string.Create(CultureInfo.InvariantCulture, $"{r.ApgrInterval.Low:F3}–{r.ApgrInterval.High:F3}");

    private static double PgrOf(RouterBenchmark b, double quality) =>
        (quality - b.WeakOnlyQuality) / (b.StrongOnlyQuality - b.WeakOnlyQuality);

    private static string Percent(double share) =>
        double.IsNaN(share) ? "not reached" : (share * 100).ToString("F1", CultureInfo.InvariantCulture) + " %";
}
