using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeRouter.Configuration;

namespace EdgeRouter.Replay;

/// <summary>One technique under comparison: a route of the replay gateway.</summary>
/// <param name="Name">The technique, also the route name.</param>
/// <param name="Description">What it does, for the report.</param>
/// <param name="Route">The route's JSON.</param>
internal sealed record ReplayTechnique(string Name, string Description, string Route);

/// <summary>Settings of one replay run.</summary>
internal sealed record ReplaySettings
{
    /// <summary>The learned router's stage object (config JSON), as <c>edgerouter calibrate</c> writes it.</summary>
    public required string LearnedStage { get; init; }

    /// <summary>Where <see cref="LearnedStage"/> came from, for the report.</summary>
    public required string LearnedSource { get; init; }

    public double JudgeAccuracy { get; init; } = 0.9;

    public double TimeScale { get; init; } = 1;

    public int Seed { get; init; } = 7;

    public required string ModelsDirectory { get; init; }

    public required string CacheDirectory { get; init; }

    /// <summary>The mixture's cost router (a <c>mor</c> member object with its quality calibration and floor).</summary>
    public required string CostRouter { get; init; }
}

/// <summary>
/// The simulated world of a replay: a cheap fast model, a strong slow one and a judge, with latency shapes of real
/// hosted models (scaled by <see cref="ReplaySettings.TimeScale"/>) and the gateway routes, one per technique.
/// </summary>
internal static class ReplayScenario
{
    public const string Cheap = "sim-cheap";
    public const string Strong = "sim-strong";
    public const string Judge = "sim-judge";

    // Prices per 1M tokens, in the ratio of a small and a frontier hosted model.
    public const decimal CheapInput = 0.15m, CheapOutput = 0.60m, StrongInput = 2.50m, StrongOutput = 10.00m;

    public static SimulatorConfig Simulator(ReplaySettings settings) => new()
    {
        Url = "http://127.0.0.1:0",
        Seed = settings.Seed,
        Models =
        [
            new SimulatedModelConfig { Name = Cheap, TtftMs = 150 * settings.TimeScale, TokensPerSecond = 120 / settings.TimeScale, JitterMs = 20 * settings.TimeScale },
            new SimulatedModelConfig { Name = Strong, TtftMs = 450 * settings.TimeScale, TokensPerSecond = 45 / settings.TimeScale, JitterMs = 60 * settings.TimeScale },
            new SimulatedModelConfig { Name = Judge, TtftMs = 120 * settings.TimeScale, TokensPerSecond = 200 / settings.TimeScale, JitterMs = 20 * settings.TimeScale },
        ],
    };

    /// <summary>The simulator script: per prompt, each model's answer right or wrong as the dataset says, and the judge.</summary>
    public static byte[] Script(IReadOnlyList<ReplayPrompt> prompts, ReplaySettings settings)
    {
        var buffer = new ArrayBufferWriter<byte>(prompts.Count * 1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteBoolean("replace", true);
            json.WriteStartArray("entries");
            foreach (var prompt in prompts)
            {
                foreach (var (model, correct) in new[] { (Cheap, prompt.WeakCorrect), (Strong, prompt.StrongCorrect) })
                {
                    json.WriteStartObject();
                    json.WriteString("match", prompt.Prompt);
                    json.WriteBoolean("exact", true);
                    json.WriteString("model", model);
                    json.WriteString("content", ReplayTraffic.Answer(prompt, correct, model));
                    json.WriteBoolean("correct", correct);
                    json.WriteEndObject();
                }
            }

            json.WriteEndArray();
            json.WriteStartObject("judge");
            json.WriteNumber("accuracy", settings.JudgeAccuracy);
            json.WriteNumber("seed", settings.Seed);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The techniques compared, in report order.</summary>
    public static IReadOnlyList<ReplayTechnique> Techniques(ReplaySettings settings)
    {
        var learned = settings.LearnedStage;
        // The mixture's member is the same stage object with a name.
        var accuracy = JsonNode.Parse(learned)!.AsObject();
        accuracy.Insert(0, "name", "accuracy");
        var judge = """{ "kind": "judge", "model": "sim/judge", "minScore": 7 }""";
        var mor = $$"""
            { "kind": "mor",
              "routers": [
                {{accuracy.ToJsonString()}},
                {{settings.CostRouter}},
                { "name": "latency", "kind": "latency" } ],
              "weights": { "default": { "accuracy": 0.6, "cost": 0.3, "latency": 0.1 } } }
            """;
        const string Models = """ "models": ["sim/cheap", "sim/strong"] """;
        return
        [
            new("static-cheap", "every request to the cheap model", """{ "stages": [ { "kind": "static", "target": "sim/cheap" } ] }"""),
            new("static-strong", "every request to the strong model", """{ "stages": [ { "kind": "static", "target": "sim/strong" } ] }"""),
            new("learned", "learned router → direct", $$"""{ {{Models}}, "stages": [ {{learned}}, { "kind": "direct" } ] }"""),
            new("cascade", "cheap first, judge (min score 7), escalate to strong",
                $$"""{ {{Models}}, "stages": [ { "kind": "cascade", "verifiers": [ { "kind": "refusal" }, {{judge}} ] } ] }"""),
            new("speculative", "cheap and strong raced; first answer the judge passes wins, the other is cancelled",
                $$"""{ {{Models}}, "stages": [ { "kind": "speculative", "verifiers": [ {{judge}} ] } ] }"""),
            new("mor", "Mixture-of-Routers (learned 0.6, cost 0.3, latency 0.1) → direct", $$"""{ {{Models}}, "stages": [ {{mor}}, { "kind": "direct" } ] }"""),
            new("mor-cache", "semantic cache, then the same mixture", $$"""{ {{Models}}, "stages": [ { "kind": "cache" }, {{mor}}, { "kind": "direct" } ] }"""),
        ];
    }

    /// <summary>The gateway config: the simulated providers, the shipped models and one route per technique.</summary>
    public static string GatewayConfig(Uri simulatorApi, ReplaySettings settings)
    {
        var routes = string.Join(",\n", Techniques(settings).Select(t => $"\"{t.Name}\": {t.Route}"));
        var encoder = JsonSerializer.Serialize(Path.Combine(settings.ModelsDirectory, "edgerouter-encoder"), ReplayJson.Default.String);
        var head = JsonSerializer.Serialize(Path.Combine(settings.ModelsDirectory, "router-head"), ReplayJson.Default.String);
        var cache = JsonSerializer.Serialize(settings.CacheDirectory, ReplayJson.Default.String);
        return $$"""
            {
              "server": { "urls": ["http://127.0.0.1:0"] },
              "logging": { "level": "Warning" },
              "inference": { "encoders": { "default": { "path": {{encoder}} } },
                             "classifiers": { "router": { "path": {{head}}, "encoder": "default" } } },
              "cache": { "directory": {{cache}}, "encoder": "default" },
              "providers": [ { "name": "sim", "baseUrl": "{{simulatorApi}}",
                "timeouts": { "connectMs": 2000, "firstByteMs": 60000, "streamIdleMs": 60000, "totalMs": 120000 },
                "models": [
                  { "name": "cheap", "upstreamName": "{{Cheap}}", "inputPricePerMillion": {{D(CheapInput)}}, "outputPricePerMillion": {{D(CheapOutput)}} },
                  { "name": "strong", "upstreamName": "{{Strong}}", "inputPricePerMillion": {{D(StrongInput)}}, "outputPricePerMillion": {{D(StrongOutput)}} },
                  { "name": "judge", "upstreamName": "{{Judge}}", "inputPricePerMillion": {{D(CheapInput)}}, "outputPricePerMillion": {{D(CheapOutput)}} } ] } ],
              "routes": { {{routes}} }
            }
            """;
    }

    private static string D(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class ReplayJson : System.Text.Json.Serialization.JsonSerializerContext;
