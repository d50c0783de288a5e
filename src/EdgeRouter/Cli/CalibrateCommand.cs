using System.Globalization;
using EdgeRouter.Routing.Evaluation;
using EdgeRouter.Routing.Learned;

namespace EdgeRouter.Cli;

/// <summary>
/// <c>edgerouter calibrate</c>: fits the learned router's combiner (<c>--combine</c>), chooses its threshold τ on the
/// router's score for a target share of strong calls (<c>--strong-share</c>), and fits each model's quality as a
/// function of the head's probability (<c>--quality</c>), all on MMLU train. The router is built from its settings
/// (<c>--learned FILE</c>) and scored by <see cref="Routing.Learned.LearnedRouter.Score"/>, as the gateway scores it;
/// on MMLU train, the rows the head was trained on, its probability is replaced by the out-of-fold one the training
/// pipeline wrote (<see cref="HeadOutOfFold"/>), since in-sample probabilities are overconfident. Never reads
/// evaluation rows: the default sample is MMLU train, and rows of a sample file whose <c>split</c> is <c>test</c> are
/// skipped.
/// </summary>
internal static class CalibrateCommand
{
    public const string UsageText =
        "usage: edgerouter calibrate [--combine] [--strong-share S] [--quality] [--learned FILE] [--head-oof FILE]\n" +
        "                            [--data DIR] [--sample FILE] [--models DIR] [--onnxruntime PATH]\n" +
        "  --combine         fit the router's combiner score = σ(a·logit(p_head) + b·ln(1 + tokens) + c) on MMLU train\n" +
        "                    (label: strong right and weak wrong; features and L2 penalty by 5-fold cross-validation on\n" +
        "                    APGR) and print the settings; with --strong-share, τ is chosen for the new score\n" +
        "  --strong-share S  threshold τ on the router's score sending share S of the sample to the strong model, in [0, 1]\n" +
        "  --quality         fit P(strong correct | p_head) and P(weak correct | p_head) on MMLU train (printed as JSON)\n" +
        "  --learned FILE    the learned router's settings (its route stage object; default bench/router-eval/learned.json\n" +
        "                    when it exists, else the head alone)\n" +
        "  --head-oof FILE   out-of-fold head probabilities of the MMLU train rows, used instead of the head's in-sample\n" +
        "                    ones (default models/training/router-head-oof.json when it exists)\n" +
        "  --data DIR        shared data folder with router/ (default ../shared/data)\n" +
        "  --sample FILE     JSON Lines traffic sample with a 'prompt' field for --strong-share (default: MMLU train\n" +
        "                    prompts), e.g. router/arena_hard_questions.jsonl; rows with split test are skipped\n" +
        "  --models DIR      folder with edgerouter-encoder/ and router-head/ (default ./models, else next to the binary)";

    /// <summary>Files of the router data folder that are evaluation-only as a whole.</summary>
    private static readonly string[] EvaluationOnlyFiles = ["gsm8k.jsonl", "mtbench.jsonl"];

    private static readonly string[] Flags = ["--quality", "--combine"];

    /// <summary>Where the training pipeline writes the head's out-of-fold probabilities (from the repository root).</summary>
    private static readonly string DefaultHeadOofPath = Path.Combine("models", "training", "router-head-oof.json");

    public static int Run(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(UsageText);
            return CommandLine.Ok;
        }

        string[] options = ["--strong-share", "--learned", "--head-oof", "--data", "--sample", "--models", "--onnxruntime"];
        var unknown = CommandLine.Unknown(args, options).FirstOrDefault(a => !Flags.Contains(a));
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

        var quality = args.Contains("--quality");
        var combine = args.Contains("--combine");
        double? share = null;
        if (values["--strong-share"] is { } shareText)
        {
            if (!double.TryParse(shareText, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) || !(parsed is >= 0 and <= 1))
            {
                return Usage($"--strong-share must be a number in [0, 1], got '{shareText}'");
            }

            share = parsed;
        }
        else if (!quality && !combine)
        {
            return Usage("give --strong-share S, --combine or --quality");
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

        var sample = values["--sample"] is { } samplePath ? Path.GetFullPath(samplePath) : null;
        if (sample is not null && !File.Exists(sample))
        {
            return Usage($"--sample: {sample} does not exist");
        }

        if (sample is not null && EvaluationOnlyFiles.Any(f => string.Equals(sample, Path.Combine(dataDirectory, f), StringComparison.Ordinal)))
        {
            return Usage($"--sample: {Path.GetFileName(sample)} is evaluation-only data; tune on MMLU train or unlabeled traffic (arena_hard_questions.jsonl)");
        }

        var modelsDirectory = LearnedRouterModels.ResolveDirectory(values["--models"]);
        if (LearnedRouterModels.Missing(modelsDirectory) is { } missing)
        {
            return Usage($"{missing}; pass --models DIR");
        }

        try
        {
            var settings = LearnedRouterModels.LoadSettings(values["--learned"], out var source);
            return Calibrate(dataDirectory, modelsDirectory, values["--onnxruntime"], settings, source, values["--head-oof"], sample, share, quality, combine);
        }
        catch (Exception ex) when (RouterCommandErrors.IsExpected(ex))
        {
            Console.Error.WriteLine($"edgerouter calibrate: {RouterCommandErrors.Describe(ex)}");
            return 1;
        }
    }

    private static int Calibrate(string dataDirectory, string modelsDirectory, string? onnxRuntime, LearnedRouterSettings settings, string source,
        string? headOofPath, string? samplePath, double? share, bool quality, bool combine)
    {
        var data = RouterData.Load(dataDirectory);
        using var models = LearnedRouterModels.Load(modelsDirectory, onnxRuntime);
        Console.WriteLine($"learned router settings: {source}: {LearnedRouterSettingsFile.ToStageJson(settings)}");
        headOofPath ??= File.Exists(DefaultHeadOofPath) ? DefaultHeadOofPath : null;
        var oof = headOofPath is null ? null : HeadOutOfFold.Load(headOofPath, data.Train);
        var headSource = oof is null
            ? "in-sample (no out-of-fold file: the head was trained on these rows, so its probabilities here are overconfident)"
            : $"out-of-fold ({oof.Path}: each row scored by the head's configuration trained on the other {oof.Folds - 1} of {oof.Folds} folds)";
        if (oof is null && (combine || quality || (share is not null && samplePath is null)))
        {
            Console.Error.WriteLine($"edgerouter calibrate: warning: {DefaultHeadOofPath} not found; fitting on the head's in-sample probabilities");
        }

        // p_head and tokens of the training rows through the router (the gateway's path), with p_head replaced by its
        // out-of-fold value when there is one; the score is recombined whenever the combiner changes.
        LearnedScore[]? head = null;
        LearnedScore[] Train(LearnedCombineSettings? combiner)
        {
            head ??= [.. models.Scorer("learned-head", settings with { Combine = null }, "head").Evaluate(data.Train.Samples)
                .Select((s, i) => oof is null ? s : new LearnedScore(oof.Probabilities[i], s.EstimatedTokens, oof.Probabilities[i]))];
            var c = combiner is null ? null : LearnedCombiner.From(combiner);
            return [.. head.Select(s => s with { Score = c?.Combine(s.HeadProbability, s.EstimatedTokens) ?? s.HeadProbability })];
        }

        if (combine)
        {
            var rows = Train(null);
            var fit = CombinerFit.Fit(
                [.. rows.Select(r => r.HeadProbability)],
                [.. rows.Select(r => r.EstimatedTokens)],
                data.Train.StrongFixes,
                [.. data.Train.StrongCorrect.Select(c => c ? 1.0 : 0.0)],
                [.. data.Train.WeakCorrect.Select(c => c ? 1.0 : 0.0)]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"combiner: {fit.Rows:N0} MMLU train rows, p_head {headSource}; label '{RouterData.StrongFixesDefinition}', {fit.Folds}-fold cross-validation:"));
            Console.WriteLine("| features | λ | held-out APGR (mean ± s.e.) | held-out log-loss | held-out ROC-AUC |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            foreach (var c in fit.Candidates)
            {
                var mark = c == fit.Chosen ? " (chosen)" : "";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {(c.UsesTokens ? "logit(p_head), ln(1 + tokens)" : "logit(p_head)")}{mark} | {c.L2:0.####} | {c.MeanApgr:F4} ± {c.ApgrStandardError:F4} | {c.MeanLogLoss:F4} | {c.MeanRocAuc:F4} |"));
            }

            var combined = fit.Combiner;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"fitted on all rows: score = σ({combined.Head:0.#####} · logit(p_head) + {combined.LogTokens:0.#####} · ln(1 + tokens) + {combined.Bias:0.#####})"));
            settings = settings with { Combine = Round(combined.ToSettings()) };
            if (share is null)
            {
                Console.WriteLine("config (route stage; τ is for the old score: choose it again with --combine --strong-share S):");
                Console.WriteLine(LearnedRouterSettingsFile.ToStageJson(settings));
            }
        }

        if (share is { } target)
        {
            string sampleSource;
            double[] scores;
            if (samplePath is null)
            {
                sampleSource = $"MMLU train prompts, p_head {headSource}";
                scores = [.. Train(settings.Combine).Select(r => r.Score)];
            }
            else
            {
                var prompts = RouterData.ReadPrompts(samplePath, out var skipped);
                if (prompts.Count == 0)
                {
                    throw new InvalidDataException($"{samplePath} has no usable prompts{(skipped > 0 ? $" ({skipped} evaluation rows skipped)" : "")}.");
                }

                sampleSource = samplePath + (skipped > 0 ? $" ({skipped:N0} rows with split test skipped)" : "");
                scores = models.Scorer("learned", settings, "router").Score([.. prompts.Select(p => new RouterSample(p))]);
            }

            var choice = ThresholdCalibration.ForStrongShare(scores, target);
            settings = settings with { Threshold = choice.Threshold };
            var what = settings.Combine is null ? "P(needs_strong)" : "the combined score";
            Console.WriteLine($"sample: {sampleSource}, {choice.Total:N0} prompts");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"threshold τ = {choice.Threshold} on {what}: {choice.StrongCalls:N0} of {choice.Total:N0} prompts ({choice.AchievedShare * 100:F2} %) go to the strong model (target {target * 100:F2} %)"));
            Console.WriteLine("config (route stage; needs inference.classifiers.router = models/router-head on the encoder):");
            Console.WriteLine(LearnedRouterSettingsFile.ToStageJson(settings));
        }

        if (quality)
        {
            var p = Train(null).Select(r => r.HeadProbability).ToArray();
            var calibration = new QualityCalibration
            {
                Source = oof is null
                    ? "router/mmlu.jsonl split train (in-sample for the head, which was trained on these rows)"
                    : $"router/mmlu.jsonl split train, out-of-fold head probabilities ({oof.Path})",
                Rows = p.Length,
                Strong = ModelQualityCalibration.Fit(RouterData.StrongModel, p, [.. data.Train.StrongCorrect]),
                Weak = ModelQualityCalibration.Fit(RouterData.WeakModel, p, [.. data.Train.WeakCorrect]),
            };
            Console.WriteLine(calibration.ToJson());
        }

        return CommandLine.Ok;
    }

    /// <summary>Coefficients rounded to 4 decimals for the config (the fit is not that precise).</summary>
    private static LearnedCombineSettings Round(LearnedCombineSettings c) =>
        new() { Head = Math.Round(c.Head, 4), LogTokens = Math.Round(c.LogTokens, 4), Bias = Math.Round(c.Bias, 4) };

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"edgerouter calibrate: {message}\n{UsageText}");
        return CommandLine.Usage;
    }
}
