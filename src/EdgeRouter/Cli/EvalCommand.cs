using System.Diagnostics;
using System.Globalization;
using EdgeRouter.Routing.Evaluation;
using EdgeRouter.Routing.Learned;

namespace EdgeRouter.Cli;

/// <summary>
/// <c>edgerouter eval</c>: evaluates strong-vs-weak routers (the shipped learned router and baselines) on the router
/// benchmarks with RouteLLM's metrics, and writes <c>report.md</c>, <c>curves.csv</c> and one SVG plot per benchmark.
/// Routers are trained or tuned on MMLU train only.
/// </summary>
internal static class EvalCommand
{
    public const string UsageText =
        "usage: edgerouter eval [--data DIR] [--out DIR] [--models DIR] [--learned FILE] [--routers LIST] [--onnxruntime PATH]\n" +
        "  --data DIR      shared data folder with router/ (default ../shared/data)\n" +
        "  --out DIR       where report.md, curves.csv and the SVGs go (default bench/router-eval)\n" +
        "  --models DIR    folder with edgerouter-encoder/ and router-head/ (default ./models, else next to the binary)\n" +
        "  --learned FILE  the learned router's settings: its route stage object, e.g. {\"kind\":\"learned\",\n" +
        "                  \"threshold\":0.4,\"combine\":{\"head\":1,\"logTokens\":0.2,\"bias\":-2}} (default\n" +
        "                  bench/router-eval/learned.json when it exists, else the head alone)\n" +
        "  --routers LIST  routers to evaluate, comma-separated (default: all of learned, learned-head, tfidf-lr,\n" +
        "                  subject-prior, length, tfidf-lr-gain, subject-prior-gain, random)";

    /// <summary>
    /// Every router, in report order. <c>learned</c> is the gateway's router with the settings file (the head combined
    /// with the prompt's length when the settings have <c>combine</c>); <c>learned-head</c> is the same router without
    /// <c>combine</c>, the head alone. The baselines train on "weak wrong" (the first head's label) and, as
    /// <c>-gain</c>, on "strong right and weak wrong".
    /// </summary>
    private static readonly string[] AllRouters = ["learned", "learned-head", "tfidf-lr", "subject-prior", "length", "tfidf-lr-gain", "subject-prior-gain", "random"];

    /// <summary>APGR (10-bin) targets of the learned router.</summary>
    private static readonly Dictionary<string, double> Targets = new() { ["mmlu"] = 0.65, ["gsm8k"] = 0.55, ["mt-bench"] = 0.55 };

    public static int Run(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(UsageText);
            return CommandLine.Ok;
        }

        string[] options = ["--data", "--out", "--models", "--learned", "--routers", "--onnxruntime"];
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
        var usesModels = routers.Any(r => r.StartsWith("learned", StringComparison.Ordinal));
        if (usesModels && LearnedRouterModels.Missing(modelsDirectory) is { } missing)
        {
            return Usage($"{missing}; pass --models DIR, or leave learned and learned-head out of --routers");
        }

        var outDirectory = Path.GetFullPath(values["--out"] ?? Path.Combine("bench", "router-eval"));
        try
        {
            return Evaluate(args, dataDirectory, modelsDirectory, values["--onnxruntime"], values["--learned"], outDirectory, routers);
        }
        catch (Exception ex) when (RouterCommandErrors.IsExpected(ex))
        {
            Console.Error.WriteLine($"edgerouter eval: {RouterCommandErrors.Describe(ex)}");
            return 1;
        }
    }

    private static int Evaluate(string[] args, string dataDirectory, string modelsDirectory, string? onnxRuntime, string? learnedSettings, string outDirectory, string[] routers)
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
                    case "learned" or "learned-head":
                        learned ??= LearnedRouterModels.Load(modelsDirectory, onnxRuntime);
                        var settings = LearnedRouterModels.LoadSettings(learnedSettings, out var source);
                        if (router == "learned-head")
                        {
                            settings = settings with { Combine = null };
                        }

                        scorers.Add([learned.Scorer(router, settings, LearnedDescription(router, settings, source))]);
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

    /// <summary>What a learned row scores: the settings it was built from and what its score is.</summary>
    private static string LearnedDescription(string router, LearnedRouterSettings settings, string source)
    {
        var models = $"shipped encoder ({LearnedRouterModels.EncoderFolder}, int8) + head ({LearnedRouterModels.HeadFolder}) loaded as the gateway's LocalModels";
        var score = settings.Combine is { } c
            ? Invariant($"score = σ({c.Head:0.####} · logit(p_head) + {c.LogTokens:0.####} · ln(1 + estimated tokens) + {c.Bias:0.####}), p_head = P({settings.Label})")
            : $"score = p_head = P({settings.Label})";
        var origin = router == "learned-head" ? $"the settings of `learned` ({source}) without `combine`" : $"settings {source}";
        return $"`LearnedRouter.Score` of the gateway's `learned` router; {models}; {origin}: `{LearnedRouterSettingsFile.ToStageJson(settings)}`; {score} (τ does not enter the curves, which sweep every threshold)";
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
