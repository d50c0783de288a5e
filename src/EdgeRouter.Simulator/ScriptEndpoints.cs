using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeRouter.Simulator;

/// <summary>
/// <c>POST /_sim/script</c> scripts answers and the judge; <c>DELETE /_sim/script</c> removes them. Body:
/// <c>{"entries":[{"match":"capital of France","model":"sim-cheap","content":"Lyon","correct":false},
/// {"match":"capital of France","behaviour":"refuse"}],"judge":{"accuracy":0.9,"seed":7,"unscriptedCorrect":true},
/// "replace":false}</c>. Behaviours: answer (default), refuse, truncate, empty, invalid_json, error, inconsistent.
/// The script is all or nothing: the first problem is the answer (400) and nothing is applied.
/// </summary>
internal static class ScriptEndpoints
{
    public static async Task PostAsync(SimExchange exchange, SimulatorState state)
    {
        if (!await exchange.ReadBodyAsync())
        {
            return;
        }

        ScriptRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(exchange.Body.WrittenSpan, ScriptJsonContext.Default.ScriptRequest);
        }
        catch (JsonException ex)
        {
            await exchange.SendErrorAsync(SimError.Invalid($"Invalid script{(ex.Path is { } path ? " at " + path : "")}: {FirstSentence(ex.Message)}", ex.Path, "invalid_script"));
            return;
        }

        if (request is null)
        {
            await exchange.SendErrorAsync(SimError.Invalid("The request body must be a JSON object: {\"entries\":[...]}.", code: "invalid_script"));
            return;
        }

        var answers = new List<ScriptedAnswer>(request.Entries.Count);
        for (var i = 0; i < request.Entries.Count; i++)
        {
            var entry = request.Entries[i];
            var path = $"entries[{i}]";
            if (ParseBehaviour(entry.Behaviour) is not { } behaviour)
            {
                await exchange.SendErrorAsync(SimError.Invalid(
                    $"Invalid '{path}.behaviour': expected one of answer, refuse, truncate, empty, invalid_json, error, inconsistent.", $"{path}.behaviour", "invalid_value"));
                return;
            }

            var answer = new ScriptedAnswer(entry.Match)
            {
                Exact = entry.Exact,
                Model = entry.Model,
                Content = entry.Content,
                Behaviour = behaviour,
                Correct = entry.Correct,
                DelayMs = entry.DelayMs,
                Status = entry.Status,
            };
            var problem = answer.Problem()
                ?? (entry.Model is { } model && state.Find(model) is null ? $"'{model}' is not a simulated model" : null);
            if (problem is not null)
            {
                await exchange.SendErrorAsync(SimError.Invalid($"Invalid '{path}': {problem}.", path, "invalid_value"));
                return;
            }

            answers.Add(answer);
        }

        if (request.Judge is { Accuracy: < 0 or > 1 } judge)
        {
            await exchange.SendErrorAsync(SimError.Invalid($"Invalid 'judge.accuracy': must be in [0, 1], got {judge.Accuracy}.", "judge.accuracy", "invalid_value"));
            return;
        }

        state.AddScript(answers, request.Replace);
        if (request.Judge is { } settings)
        {
            state.ConfigureJudge(settings.Accuracy, settings.Seed, settings.UnscriptedCorrect);
        }

        var json = exchange.Json();
        json.WriteStartObject();
        json.WriteNumber("entries"u8, state.Script.Count);
        json.WriteEndObject();
        json.Flush();
        await exchange.SendJsonAsync(200);
    }

    public static void Delete(SimExchange exchange, SimulatorState state)
    {
        state.ClearScript();
        exchange.Context.Response.StatusCode = 204;
    }

    private static ScriptedBehaviour? ParseBehaviour(string? behaviour) => behaviour switch
    {
        null or "answer" => ScriptedBehaviour.Answer,
        "refuse" => ScriptedBehaviour.Refuse,
        "truncate" => ScriptedBehaviour.Truncate,
        "empty" => ScriptedBehaviour.Empty,
        "invalid_json" => ScriptedBehaviour.InvalidJson,
        "error" => ScriptedBehaviour.Error,
        "inconsistent" => ScriptedBehaviour.Inconsistent,
        _ => null,
    };

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ') + ".";
    }
}

/// <summary>The body of <c>POST /_sim/script</c>.</summary>
internal sealed record ScriptRequest
{
    public IReadOnlyList<ScriptEntry> Entries { get; set; } = [];

    public JudgeSettings? Judge { get; set; }

    public bool Replace { get; set; }
}

/// <summary>One entry of a script, as written.</summary>
internal sealed record ScriptEntry
{
    public string Match { get; set; } = "";

    public bool Exact { get; set; }

    public string? Model { get; set; }

    public string? Content { get; set; }

    public string? Behaviour { get; set; }

    public bool? Correct { get; set; }

    public int DelayMs { get; set; }

    public int Status { get; set; } = 500;
}

/// <summary>The simulated judge's settings, as written.</summary>
internal sealed record JudgeSettings
{
    public double Accuracy { get; set; } = 1.0;

    public int? Seed { get; set; }

    public bool UnscriptedCorrect { get; set; } = true;
}

/// <summary>Source-generated metadata for scripts: camelCase, unknown members are errors.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(ScriptRequest))]
internal sealed partial class ScriptJsonContext : JsonSerializerContext;
