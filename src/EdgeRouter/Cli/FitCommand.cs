using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeRouter.Configuration;
using EdgeRouter.Hosting;
using EdgeRouter.Inference;
using EdgeRouter.Pipeline;
using EdgeRouter.Routing.Intent;
using EdgeRouter.Routing.Routers;

namespace EdgeRouter.Cli;

/// <summary>
/// <c>edgerouter fit</c>: tunes the thresholds of a route's intent stage on a labeled JSONL file (<c>text</c> or
/// <c>prompt</c>, and <c>label</c> or <c>intent</c>; a label naming no intent marks an out-of-scope prompt), prints
/// per-intent precision and recall before and after, and the intents with their fitted thresholds to paste back.
/// </summary>
internal static class FitCommand
{
    private const string UsageText = "usage: edgerouter fit --config FILE --route NAME --data FILE.jsonl [--precision 0.9] [--evaluate]";

    public static int Run(string[] args)
    {
        if (!CommandLine.TryGetOption(args, "--config", out var configPath, out var error) || configPath is null
            || !CommandLine.TryGetOption(args, "--route", out var routeName, out error) || routeName is null
            || !CommandLine.TryGetOption(args, "--data", out var dataPath, out error) || dataPath is null)
        {
            Console.Error.WriteLine($"edgerouter fit: {error ?? "--config, --route and --data are required"}\n{UsageText}");
            return CommandLine.Usage;
        }

        var precision = 0.9;
        if (CommandLine.TryGetOption(args, "--precision", out var precisionText, out _)
            && (!double.TryParse(precisionText, NumberStyles.Float, CultureInfo.InvariantCulture, out precision) || precision is <= 0 or > 1))
        {
            Console.Error.WriteLine($"edgerouter fit: --precision must be in (0, 1], got '{precisionText}'\n{UsageText}");
            return CommandLine.Usage;
        }

        var loaded = ConfigLoader.LoadFile(configPath, new StageRegistry(StageKinds.BuiltIn), Environment.GetEnvironmentVariable);
        if (!loaded.IsValid)
        {
            Console.Error.WriteLine($"edgerouter fit: {configPath} is invalid:\n  " + string.Join("\n  ", loaded.Errors));
            return CommandLine.Usage;
        }

        if (!loaded.Value.RouteStages.TryGetValue(routeName, out var stages)
            || stages.FirstOrDefault(s => s.Factory.Kind == IntentStageFactory.KindName) is not { Settings: IntentSettings settings })
        {
            Console.Error.WriteLine($"edgerouter fit: route '{routeName}' has no intent stage in {configPath}");
            return CommandLine.Usage;
        }

        List<(string Text, string Label)> data;
        try
        {
            data = ReadLabeled(dataPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidDataException)
        {
            Console.Error.WriteLine($"edgerouter fit: cannot read {dataPath}: {ex.Message}");
            return 1;
        }

        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(configPath)) ?? ".";
        LocalModels models;
        try
        {
            models = LocalModels.Load(loaded.Value.Config.Inference!, baseDirectory);
        }
        catch (LocalModelException ex)
        {
            Console.Error.WriteLine($"edgerouter fit: {ex.Path}: {ex.Reason}");
            return 1;
        }

        using (models)
        {
            if (!models.TryGetEncoder(settings.Encoder, out var encoder))
            {
                Console.Error.WriteLine($"edgerouter fit: encoder '{settings.Encoder}' is not loaded");
                return 1;
            }

            var matcher = new IntentMatcher(encoder, settings.Intents);
            var names = settings.Intents.Select(i => i.Name).ToList();
            var samples = data.Select(d => new LabeledScores(matcher.Scores(PromptFeatures.OfText(d.Text)),
                names.IndexOf(d.Label) is var label and >= 0 ? label : null)).ToList();
            var fits = IntentFitter.Fit(names, [.. settings.Intents.Select(i => i.Threshold)], samples, precision);
            if (args.Contains("--evaluate"))
            {
                // Held-out data: report the configured thresholds and fit nothing.
                Console.WriteLine(Evaluation(fits, data.Count, samples.Count(s => s.Label is null)));
                return CommandLine.Ok;
            }

            Console.WriteLine(Report(fits, data.Count, samples.Count(s => s.Label is null), precision));
            Console.WriteLine(Snippet(settings, fits));
            return CommandLine.Ok;
        }
    }

    internal static List<(string Text, string Label)> ReadLabeled(string path)
    {
        var rows = new List<(string, string)>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Trim().Length == 0)
            {
                continue;
            }

            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var text = Field(root, "text") ?? Field(root, "prompt");
            var label = Field(root, "label") ?? Field(root, "intent");
            if (text is null || label is null)
            {
                throw new InvalidDataException($"line {lineNumber} needs a string 'text' (or 'prompt') and 'label' (or 'intent')");
            }

            rows.Add((text, label));
        }

        return rows.Count > 0 ? rows : throw new InvalidDataException("no labeled rows");
    }

    private static string? Field(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    internal static string Report(IReadOnlyList<IntentFit> fits, int rows, int outOfScope, double precision)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{rows} labeled prompts ({outOfScope} out of scope); target precision {precision:0.###}");
        text.AppendLine("| intent | support | threshold | precision | recall | fitted threshold | precision | recall | target met |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var fit in fits)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {fit.Name} | {fit.Current.Support} | {fit.Current.Threshold:0.####} | {fit.Current.Precision:0.000} | {fit.Current.Recall:0.000} | {fit.Fitted.Threshold:0.####} | {fit.Fitted.Precision:0.000} | {fit.Fitted.Recall:0.000} | {(fit.MetTarget ? "yes" : "no (best F1)")} |");
        }

        return text.ToString();
    }

    internal static string Evaluation(IReadOnlyList<IntentFit> fits, int rows, int outOfScope)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{rows} labeled prompts ({outOfScope} out of scope); configured thresholds, nothing fitted");
        text.AppendLine("| intent | support | threshold | precision | recall | recognised |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var fit in fits)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {fit.Name} | {fit.Current.Support} | {fit.Current.Threshold:0.####} | {fit.Current.Precision:0.000} | {fit.Current.Recall:0.000} | {fit.Current.Recognised} |");
        }

        return text.ToString();
    }

    private static string Snippet(IntentSettings settings, IReadOnlyList<IntentFit> fits)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("intents");
            for (var i = 0; i < fits.Count; i++)
            {
                var intent = settings.Intents[i];
                json.WriteStartObject();
                json.WriteString("name", intent.Name);
                json.WriteNumber("threshold", Math.Round(fits[i].Fitted.Threshold, 4));
                if (intent.Model is { } model)
                {
                    json.WriteString("model", model);
                }

                json.WriteStartArray("examples");
                foreach (var example in intent.Examples)
                {
                    json.WriteStringValue(example);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
