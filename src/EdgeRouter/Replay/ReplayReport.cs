using System.Globalization;
using System.Text;

namespace EdgeRouter.Replay;

/// <summary>Turns replay runs into the per-technique comparison table.</summary>
internal static class ReplayReport
{
    public static string Markdown(ReplayTraffic traffic, ReplaySettings settings, IReadOnlyList<TechniqueRun> runs, string command)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        var distinct = traffic.Prompts.Count;
        var byBenchmark = string.Join(", ", traffic.Prompts.GroupBy(p => p.Benchmark).Select(g => $"{g.Count()} {g.Key}"));
        text.AppendLine(inv, $"Replay of {traffic.Requests.Count} requests ({distinct} distinct prompts: {byBenchmark}; {traffic.Requests.Count - distinct} exact repeats) through every technique, in the same order.");
        text.AppendLine(inv, $"Command: `{command}`");
        text.AppendLine();
        text.AppendLine(inv, $"Upstreams: the built-in simulator. `sim/cheap` answers right where Mixtral-8x7B did and `sim/strong` where GPT-4 did (RouteLLM's per-prompt results); latency shapes cheap 150 ms + 120 tok/s, strong 450 ms + 45 tok/s (× {settings.TimeScale:0.##}); prices per 1M tokens cheap ${ReplayScenario.CheapInput}/${ReplayScenario.CheapOutput}, strong ${ReplayScenario.StrongInput}/${ReplayScenario.StrongOutput}. The judge (`sim/judge`, priced like the cheap model) agrees with the dataset with probability {settings.JudgeAccuracy:0.##}. Learned router: `{settings.LearnedStage}` ({settings.LearnedSource}; τ chosen on MMLU train prompts).");
        text.AppendLine();
        text.AppendLine("| technique | accuracy | cost per 1k requests | cost vs static strong | p50 ms | p95 ms | strong calls per request | answered by strong | cache hits | errors |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var strongCost = runs.FirstOrDefault(r => r.Technique.Name == "static-strong") is { } baseline ? CostPerThousand(baseline) : 0m;
        foreach (var run in runs)
        {
            var n = run.Outcomes.Count;
            var latencies = run.Outcomes.Select(o => o.LatencyMs).Order().ToArray();
            var cost = CostPerThousand(run);
            text.AppendLine(inv,
                $"| {run.Technique.Name} | {100.0 * run.Outcomes.Count(o => o.Right) / n:F1} % | ${cost:F3} | {(strongCost > 0 ? $"{100 * cost / strongCost:F0} %" : "–")} | {Percentile(latencies, 0.50):F0} | {Percentile(latencies, 0.95):F0} | {(double)run.StrongCalls / n:F3} | {100.0 * run.Outcomes.Count(o => o.Model == "sim/strong" && !o.CacheHit) / n:F1} % | {100.0 * run.Outcomes.Count(o => o.CacheHit) / n:F1} % | {run.Outcomes.Count(o => o.Status != 200)} |");
        }

        text.AppendLine();
        foreach (var run in runs)
        {
            text.AppendLine(inv, $"- `{run.Technique.Name}`: {run.Technique.Description}; upstream calls: {run.CheapCalls} cheap, {run.StrongCalls} strong, {run.JudgeCalls} judge; {run.Seconds:F1} s.");
        }

        return text.ToString();
    }

    private static decimal CostPerThousand(TechniqueRun run) => run.Outcomes.Sum(o => o.CostUsd) * 1000m / run.Outcomes.Count;

    private static double Percentile(double[] sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return 0;
        }

        var rank = q * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }
}
