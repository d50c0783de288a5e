using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeRouter.Hosting;
using EdgeRouter.Replay;
using EdgeRouter.Routing.Evaluation;
using EdgeRouter.Routing.Learned;

namespace EdgeRouter.Cli;

/// <summary>
/// <c>edgerouter replay</c>: sends a labeled prompt set through a gateway with simulated cheap and strong upstreams
/// whose answers are right or wrong as the dataset says, once per technique, and reports cost, quality, latency and
/// strong-call share per technique.
/// </summary>
internal static class ReplayCommand
{
    private const string UsageText = """
        usage: edgerouter replay [--data DIR] [--models DIR] [--per-benchmark 300] [--repeat-share 0.2] [--concurrency 16]
                                 [--learned FILE] [--judge-accuracy 0.9] [--time-scale 1] [--only a,b] [--out FILE]
          --learned FILE  the learned router's settings (a route stage object; default bench/router-eval/learned.json
                          when present, else the embedded default's learned router)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var unknown = CommandLine.Unknown(args, "--data", "--models", "--per-benchmark", "--repeat-share", "--concurrency", "--learned",
            "--judge-accuracy", "--time-scale", "--only", "--out", "--onnxruntime").ToList();
        if (unknown.Count > 0)
        {
            await Console.Error.WriteLineAsync($"edgerouter replay: unknown argument '{unknown[0]}'\n{UsageText}");
            return CommandLine.Usage;
        }

        if (!TryNumber(args, "--per-benchmark", 300, 1, 100_000, out var perBenchmark)
            || !TryNumber(args, "--repeat-share", 0.2, 0, 1, out var repeatShare)
            || !TryNumber(args, "--concurrency", 16, 1, 512, out var concurrency)
            || !TryNumber(args, "--judge-accuracy", 0.9, 0, 1, out var judgeAccuracy)
            || !TryNumber(args, "--time-scale", 1, 0.01, 100, out var timeScale))
        {
            return CommandLine.Usage;
        }

        CommandLine.TryGetOption(args, "--data", out var dataOption, out _);
        CommandLine.TryGetOption(args, "--models", out var modelsOption, out _);
        CommandLine.TryGetOption(args, "--only", out var onlyOption, out _);
        CommandLine.TryGetOption(args, "--out", out var outPath, out _);
        CommandLine.TryGetOption(args, "--learned", out var learnedOption, out _);
        CommandLine.TryGetOption(args, "--onnxruntime", out var runtimePath, out _);
        RouterData data;
        try
        {
            data = RouterData.Load(dataOption ?? Path.Combine("..", "shared", "data"));
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"edgerouter replay: {ex.Message}\n{UsageText}");
            return CommandLine.Usage;
        }

        var modelsDirectory = LearnedRouterModels.ResolveDirectory(modelsOption);
        if (LearnedRouterModels.Missing(modelsDirectory) is { } missing)
        {
            await Console.Error.WriteLineAsync($"edgerouter replay: {missing}");
            return CommandLine.Usage;
        }

        string learnedStage, learnedSource;
        try
        {
            (learnedStage, learnedSource) = LearnedStage(learnedOption);
        }
        catch (Exception ex) when (RouterCommandErrors.IsExpected(ex))
        {
            await Console.Error.WriteLineAsync($"edgerouter replay: {RouterCommandErrors.Describe(ex)}");
            return CommandLine.Usage;
        }

        var cacheDirectory = Path.Combine(Path.GetTempPath(), $"edgerouter-replay-{Environment.ProcessId}");
        var settings = new ReplaySettings
        {
            LearnedStage = learnedStage,
            LearnedSource = learnedSource,
            CostRouter = DefaultCostRouter(),
            JudgeAccuracy = judgeAccuracy,
            TimeScale = timeScale,
            ModelsDirectory = modelsDirectory,
            CacheDirectory = cacheDirectory,
        };
        var traffic = ReplayTraffic.Build(data, (int)perBenchmark, repeatShare, settings.Seed);
        var only = onlyOption?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        try
        {
            var runs = await ReplayRunner.RunAsync(traffic, settings, (int)concurrency, only, Console.Error, CancellationToken.None);
            var report = ReplayReport.Markdown(traffic, settings, runs, "edgerouter replay " + string.Join(' ', args));
            Console.WriteLine(report);
            if (outPath is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
                await File.WriteAllTextAsync(outPath, report);
            }

            return CommandLine.Ok;
        }
        catch (Exception ex) when (ex is Hosting.ConfigurationException or InvalidOperationException or HttpRequestException or IOException)
        {
            await Console.Error.WriteLineAsync($"edgerouter replay: {ex.Message}");
            return 1;
        }
        finally
        {
            if (Directory.Exists(cacheDirectory))
            {
                Directory.Delete(cacheDirectory, recursive: true);
            }
        }
    }

    /// <summary>
    /// The learned router as a stage object: from <paramref name="option"/> or the evaluation's settings file when
    /// present, else the learned router the embedded default config ships.
    /// </summary>
    private static (string Stage, string Source) LearnedStage(string? option)
    {
        if (option is not null || File.Exists(LearnedRouterModels.DefaultSettingsPath))
        {
            var settings = LearnedRouterModels.LoadSettings(option, out var source);
            return (LearnedRouterSettingsFile.ToStageJson(settings), source);
        }

        return (DefaultLearnedStage(), "the embedded default config");
    }

    /// <summary>The <c>learned</c> stage of the embedded default's <c>race</c> route, as shipped.</summary>
    internal static string DefaultLearnedStage() =>
        FirstOfKind(EmbeddedRoute("race")?["stages"], LearnedRouterFactory.KindName, "the race route's stages");

    /// <summary>The cost router of the embedded default's <c>auto</c> route mixture, as shipped (its calibration and floor).</summary>
    internal static string DefaultCostRouter() =>
        FirstOfKind(FirstOfKindNode(EmbeddedRoute("auto")?["stages"], "mor")?["routers"], "cost", "the auto route's mixture");

    private static JsonNode? EmbeddedRoute(string name)
    {
        var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        return JsonNode.Parse(EmbeddedDefaults.ConfigJson(), documentOptions: options)?["routes"]?[name];
    }

    private static JsonNode? FirstOfKindNode(JsonNode? list, string kind) =>
        list?.AsArray().FirstOrDefault(item => item?["kind"]?.GetValue<string>() == kind);

    private static string FirstOfKind(JsonNode? list, string kind, string where) =>
        FirstOfKindNode(list, kind)?.ToJsonString() ?? throw new InvalidOperationException($"the embedded default config has no {kind} in {where}");

    private static bool TryNumber(string[] args, string name, double fallback, double min, double max, out double value)
    {
        value = fallback;
        if (!CommandLine.TryGetOption(args, name, out var text, out var error))
        {
            if (error is null)
            {
                return true;
            }

            Console.Error.WriteLine($"edgerouter replay: {error}\n{UsageText}");
            return false;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || value < min || value > max)
        {
            Console.Error.WriteLine($"edgerouter replay: {name} must be a number in [{min}, {max}], got '{text}'\n{UsageText}");
            return false;
        }

        return true;
    }
}
