using System.Globalization;
using EdgeRouter.Routing.Evaluation;

namespace EdgeRouter.Cli;

/// <summary>
/// <c>edgerouter calibrate</c>: chooses the learned router's threshold on P(needs_strong) that sends a target share of
/// a traffic sample to the strong model, and optionally fits each model's quality as a function of that probability
/// on MMLU train. Never reads evaluation rows: the default sample is MMLU train, and rows of a sample file whose
/// <c>split</c> is <c>test</c> are skipped.
/// </summary>
internal static class CalibrateCommand
{
    public const string UsageText =
        "usage: edgerouter calibrate --strong-share S [--quality] [--data DIR] [--sample FILE] [--models DIR] [--onnxruntime PATH]\n" +
        "  --strong-share S  share of the sample to send to the strong model, in [0, 1]\n" +
        "  --quality         also fit P(strong correct | p) and P(weak correct | p) on MMLU train (printed as JSON)\n" +
        "  --data DIR        shared data folder with router/ (default ../shared/data)\n" +
        "  --sample FILE     JSON Lines traffic sample with a 'prompt' field (default: MMLU train prompts), e.g.\n" +
        "                    router/arena_hard_questions.jsonl; rows with split test are skipped\n" +
        "  --models DIR      folder with edgerouter-encoder/ and router-head/ (default ./models, else next to the binary)";

    /// <summary>Files of the router data folder that are evaluation-only as a whole.</summary>
    private static readonly string[] EvaluationOnlyFiles = ["gsm8k.jsonl", "mtbench.jsonl"];

    public static int Run(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(UsageText);
            return CommandLine.Ok;
        }

        string[] options = ["--strong-share", "--data", "--sample", "--models", "--onnxruntime"];
        var unknown = CommandLine.Unknown(args, options).FirstOrDefault(a => a != "--quality");
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
        double? share = null;
        if (values["--strong-share"] is { } shareText)
        {
            if (!double.TryParse(shareText, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) || !(parsed is >= 0 and <= 1))
            {
                return Usage($"--strong-share must be a number in [0, 1], got '{shareText}'");
            }

            share = parsed;
        }
        else if (!quality)
        {
            return Usage("--strong-share S is required (or --quality alone)");
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
            return Calibrate(dataDirectory, modelsDirectory, values["--onnxruntime"], sample, share, quality);
        }
        catch (Exception ex) when (RouterCommandErrors.IsExpected(ex))
        {
            Console.Error.WriteLine($"edgerouter calibrate: {RouterCommandErrors.Describe(ex)}");
            return 1;
        }
    }

    private static int Calibrate(string dataDirectory, string modelsDirectory, string? onnxRuntime, string? samplePath, double? share, bool quality)
    {
        var data = RouterData.Load(dataDirectory);
        using var models = LearnedRouterModels.Load(modelsDirectory, onnxRuntime);
        double[]? trainScores = null;
        double[] Train() => trainScores ??= models.Scorer.Score(data.Train.Samples);

        if (share is { } target)
        {
            string source;
            double[] scores;
            if (samplePath is null)
            {
                source = "MMLU train prompts";
                scores = Train();
            }
            else
            {
                var prompts = RouterData.ReadPrompts(samplePath, out var skipped);
                if (prompts.Count == 0)
                {
                    throw new InvalidDataException($"{samplePath} has no usable prompts{(skipped > 0 ? $" ({skipped} evaluation rows skipped)" : "")}.");
                }

                source = samplePath + (skipped > 0 ? $" ({skipped:N0} rows with split test skipped)" : "");
                scores = models.Scorer.Score([.. prompts.Select(p => new RouterSample(p))]);
            }

            var choice = ThresholdCalibration.ForStrongShare(scores, target);
            var threshold = choice.Threshold.ToString(CultureInfo.InvariantCulture);
            Console.WriteLine($"sample: {source}, {choice.Total:N0} prompts");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"threshold τ = {threshold} on P(needs_strong): {choice.StrongCalls:N0} of {choice.Total:N0} prompts ({choice.AchievedShare * 100:F2} %) go to the strong model (target {target * 100:F2} %)"));
            Console.WriteLine("config (route stage; needs inference.classifiers.router = models/router-head on the encoder):");
            Console.WriteLine($$"""{"kind":"learned","classifier":"router","threshold":{{threshold}}}""");
        }

        if (quality)
        {
            var p = Train();
            var calibration = new QualityCalibration
            {
                Source = "router/mmlu.jsonl split train (in-sample for the head, which was trained on 80 % of these rows)",
                Rows = p.Length,
                Strong = ModelQualityCalibration.Fit(RouterData.StrongModel, p, [.. data.Train.StrongCorrect]),
                Weak = ModelQualityCalibration.Fit(RouterData.WeakModel, p, [.. data.Train.WeakCorrect]),
            };
            Console.WriteLine(calibration.ToJson());
        }

        return CommandLine.Ok;
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"edgerouter calibrate: {message}\n{UsageText}");
        return CommandLine.Usage;
    }
}
