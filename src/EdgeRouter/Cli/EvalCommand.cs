using System.Diagnostics;
using System.Globalization;
using EdgeRouter.Routing.Evaluation;

namespace EdgeRouter.Cli;

/// <summary>
/// <c>edgerouter eval</c>: evaluates strong-vs-weak routers (the shipped learned router and baselines) on the router
/// benchmarks with RouteLLM's metrics, and writes <c>report.md</c>, <c>curves.csv</c> and one SVG plot per benchmark.
/// Routers are trained or tuned on MMLU train only.
/// </summary>
internal static class EvalCommand
{
    public const string UsageText =
        "usage: edgerouter eval [--data DIR] [--out DIR] [--models DIR] [--routers LIST] [--onnxruntime PATH]\n" +
        "  --data DIR      shared data folder with router/ (default ../shared/data)\n" +
        "  --out DIR       where report.md, curves.csv and the SVGs go (default bench/router-eval)\n" +
        "  --models DIR    folder with edgerouter-encoder/ and router-head/ (default ./models, else next to the binary)\n" +
        "  --routers LIST  routers to evaluate, comma-separated (default: all of learned, tfidf-lr, subject-prior,\n" +
        "                  length, tfidf-lr-gain, subject-prior-gain, random)";

    /// <summary>
    /// Every router, in report order. The <c>-gain</c> baselines train on the other label, "strong right and weak
    /// wrong", to show how much the router head's label ("weak wrong") costs.
    /// </summary>
    private static readonly string[] AllRouters = ["learned", "tfidf-lr", "subject-prior", "length", "tfidf-lr-gain", "subject-prior-gain", "random"];

    /// <summary>APGR (10-bin) targets of the learned router.</summary>
    private static readonly Dictionary<string, double> Targets = new() { ["mmlu"] = 0.65, ["gsm8k"] = 0.55, ["mt-bench"] = 0.55 };

    public static int Run(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(UsageText);
            return CommandLine.Ok;
        }

        string[] options = ["--data", "--out", "--models", "--routers", "--onnxruntime"];
        var unknown = CommandLine.Unknown(args, options).FirstOrDefault();
        if (unknown is not null)
        {
            return Usage($"unknown argument '{unknown}'");
        }

        var values = new Dictionary<string, string?>();
        foreach (var option in options)
        {
            if (!CommandLine.TryGetOption(args, option, out var value, out var error) && error is not null)
            {
                return Usage(error);
            }

            values[option] = value;
        }

        var routers = (values["--routers"] ?? string.Join(',', AllRouters)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var badRouter = routers.FirstOrDefault(r => !AllRouters.Contains(r));
        if (badRouter is not null || routers.Length == 0)
        {
            return Usage($"--routers: unknown router '{badRouter}' (known: {string.Join(", ", AllRouters)})");
        }

        string dataDirectory;
        try
        {
            dataDirectory = RouterData.ResolveRouterDirectory(values["--data"] ?? Path.Combine("..", "shared", "data"));
        }
        catch (DirectoryNotFoundException ex)
        {
            return Usage(ex.Message);
        }

        var modelsDirectory = LearnedRouterModels.ResolveDirectory(values["--models"]);
        if (routers.Contains("learned") && LearnedRouterModels.Missing(modelsDirectory) is { } missing)
        {
            return Usage($"{missing}; pass --models DIR, or leave 'learned' out of --routers");
        }

        var outDirectory = Path.GetFullPath(values["--out"] ?? Path.Combine("bench", "router-eval"));
        try
        {
            return Evaluate(args, dataDirectory, modelsDirectory, values["--onnxruntime"], outDirectory, routers);
        }
        catch (Exception ex) when (RouterCommandErrors.IsExpected(ex))
        {
            Console.Error.WriteLine($"edgerouter eval: {RouterCommandErrors.Describe(ex)}");
            return 1;
        }
    }

    private static int Evaluate(string[] args, string dataDirectory, string modelsDirectory, string? onnxRuntime, string outDirectory, string[] routers)
    {
        var started = Stopwatch.GetTimestamp();
        var data = RouterData.Load(dataDirectory);
        Progress($"data: {data.Directory}: {data.Train.Samples.Count:N0} training rows (MMLU train); {string.Join(", ", data.Benchmarks.Select(b => $"{b.Name} {b.Count:N0}"))} evaluation rows");

        var notes = new List<string>();
        var scorers = new List<IReadOnlyList<IRouterScorer>>();
        LearnedRouterModels? learned = null;
        try
        {
            foreach (var router in routers)
            {
                var built = Stopwatch.GetTimestamp();
                switch (router)
                {
                    case "learned":
                        learned = LearnedRouterModels.Load(modelsDirectory, onnxRuntime);
                        scorers.Add([learned.Scorer]);
                        break;
                    case "tfidf-lr" or "tfidf-lr-gain":
                        var gain = router.EndsWith("-gain", StringComparison.Ordinal);
                        var tfidf = TfidfLogisticScorer.Train(
                            data.Train.Samples,
                            gain ? data.Train.StrongFixes : data.Train.NeedsStrong,
                            new TfidfLogisticOptions { Name = router, Label = gain ? RouterData.StrongFixesDefinition : RouterData.NeedsStrongDefinition });
                        scorers.Add([tfidf]);
                        notes.Add(Invariant($"`{router}` training: {tfidf.FeatureCount:N0} terms; mean held-out ROC-AUC per λ over {tfidf.Folds} folds: {string.Join(", ", tfidf.CrossValidation.Select(p => Invariant($"{p.L2:0.######} → {p.MeanRocAuc:F4}")))}; chosen λ = {tfidf.L2:0.######}."));
                        break;
                    case "subject-prior" or "subject-prior-gain":
                        var fixes = router.EndsWith("-gain", StringComparison.Ordinal);
                        var prior = SubjectPriorScorer.Train(
                            data.Train.Samples,
                            fixes ? data.Train.StrongFixes : data.Train.NeedsStrong,
                            router,
                            fixes ? RouterData.StrongFixesDefinition : RouterData.NeedsStrongDefinition);
                        scorers.Add([prior]);
                        notes.Add(Invariant($"`{router}` training: {prior.Rates.Count} subjects, label rate {prior.Rates.Values.Min():F3}–{prior.Rates.Values.Max():F3} (overall {prior.OverallRate:F3}). ") + NearestSubjects(prior, data));
                        break;
                    case "length":
                        scorers.Add([new LengthScorer()]);
                        break;
                    default:
                        scorers.Add(RandomScorer.Runs());
                        break;
                }

                Progress(Invariant($"{router}: ready in {Stopwatch.GetElapsedTime(built).TotalSeconds:F1} s"));
            }

            var results = new List<BenchmarkEvaluation>();
            foreach (var benchmark in data.Benchmarks)
            {
                var evaluations = new List<RouterEvaluation>();
                foreach (var runs in scorers)
                {
                    var evaluation = RouterEvaluator.Evaluate(benchmark, runs);
                    evaluations.Add(evaluation);
                    Progress(Invariant($"{benchmark.Name} / {evaluation.Router}: APGR {evaluation.Quantile.Apgr:F3} (10-bin), {evaluation.Full.Apgr:F3} (full); scored in {evaluation.ScoringTime.TotalSeconds:F1} s"));
                }

                results.Add(new BenchmarkEvaluation(benchmark, evaluations));
            }

            var report = EvaluationReport.Markdown(results, new EvaluationReportOptions
            {
                Command = "edgerouter eval" + (args.Length > 0 ? " " + string.Join(' ', args) : ""),
                RunTime = Stopwatch.GetElapsedTime(started),
                TrainingRows = data.Train.Samples.Count,
                Notes = notes,
                TargetRouter = "learned",
                ApgrTargets = routers.Contains("learned") ? Targets : new Dictionary<string, double>(),
            });
            Directory.CreateDirectory(outDirectory);
            File.WriteAllText(Path.Combine(outDirectory, "report.md"), report);
            File.WriteAllText(Path.Combine(outDirectory, "curves.csv"), EvaluationReport.Csv(results));
            foreach (var result in results)
            {
                File.WriteAllText(Path.Combine(outDirectory, result.Benchmark.Name + ".svg"), SvgCurvePlot.Render(result));
            }

            Console.Write(report);
            Progress(Invariant($"wrote report.md, curves.csv and {results.Count} SVG plots to {outDirectory} in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s"));
            return CommandLine.Ok;
        }
        finally
        {
            learned?.Dispose();
        }
    }

    /// <summary>Where the prior sends benchmarks without subjects: their most common nearest subjects.</summary>
    private static string NearestSubjects(SubjectPriorScorer prior, RouterData data)
    {
        var parts = data.Benchmarks.Where(b => b.Samples.All(s => s.Subject is null)).Select(b =>
        {
            var top = b.Samples.Select(s => prior.NearestSubject(s.Prompt) ?? "(none: overall rate)")
                .GroupBy(s => s).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(3)
                .Select(g => Invariant($"{g.Key} {100.0 * g.Count() / b.Count:F0} %"));
            return $"{b.Name} → {string.Join(", ", top)}";
        });
        return "Nearest subjects of prompts without one: " + string.Join("; ", parts) + ".";
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"edgerouter eval: {message}\n{UsageText}");
        return CommandLine.Usage;
    }

    private static void Progress(string message) => Console.Error.WriteLine($"eval: {message}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
