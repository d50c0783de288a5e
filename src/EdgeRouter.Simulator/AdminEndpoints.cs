using System.Text.Json;

namespace EdgeRouter.Simulator;

/// <summary>The simulator's own endpoints: models, health, and the <c>/_sim</c> control surface.</summary>
internal static class AdminEndpoints
{
    /// <summary><c>GET /v1/models</c>.</summary>
    public static ValueTask ModelsAsync(SimExchange exchange, SimulatorState state, long created)
    {
        var json = exchange.Json();
        json.WriteStartObject();
        json.WriteString("object"u8, "list"u8);
        json.WriteStartArray("data"u8);
        foreach (var model in state.Models)
        {
            json.WriteStartObject();
            json.WriteString("id"u8, model.NameUtf8);
            json.WriteString("object"u8, "model"u8);
            json.WriteNumber("created"u8, created);
            json.WriteString("owned_by"u8, "edgerouter-sim"u8);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        return exchange.SendJsonAsync(200);
    }

    /// <summary><c>GET /healthz</c>.</summary>
    public static ValueTask HealthAsync(SimExchange exchange)
    {
        exchange.Wire.Write("ok"u8);
        var response = exchange.Context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/plain";
        response.ContentLength = 2;
        return exchange.SendLastAsync();
    }

    /// <summary><c>GET /_sim/stats</c>: counters keyed by model.</summary>
    public static ValueTask StatsAsync(SimExchange exchange, SimulatorState state)
    {
        var json = exchange.Json();
        json.WriteStartObject();
        foreach (var model in state.Models)
        {
            var stats = model.Snapshot();
            json.WriteStartObject(model.NameUtf8);
            json.WriteNumber("requests"u8, stats.Requests);
            json.WriteNumber("streamRequests"u8, stats.StreamRequests);
            json.WriteNumber("includeUsageRequests"u8, stats.IncludeUsageRequests);
            json.WriteNumber("completed"u8, stats.Completed);
            json.WriteNumber("canceled"u8, stats.Canceled);
            json.WriteNumber("faultsInjected"u8, stats.FaultsInjected);
            json.WriteNumber("queuedFaults"u8, model.QueuedFaults);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.Flush();
        return exchange.SendJsonAsync(200);
    }

    /// <summary><c>POST /_sim/reset</c>.</summary>
    public static void Reset(SimExchange exchange, SimulatorState state)
    {
        state.Reset();
        exchange.Context.Response.StatusCode = 204;
    }

    /// <summary><c>POST /_sim/faults</c> with <c>{"model":"m","faults":[{"kind":"rate_limit",...}]}</c>.</summary>
    public static async Task FaultsAsync(SimExchange exchange, SimulatorState state)
    {
        if (!await exchange.ReadBodyAsync())
        {
            return;
        }

        var error = ReadFaults(exchange.Body.WrittenSpan, out var modelName, out var faults);
        if (error is null && state.Find(modelName!) is null)
        {
            error = SimError.ModelNotFound(modelName!);
        }

        if (error is not null)
        {
            await exchange.SendErrorAsync(error);
            return;
        }

        state.EnqueueFaults(modelName!, [.. faults]);
        exchange.Context.Response.StatusCode = 204;
    }

    private static SimError? ReadFaults(ReadOnlySpan<byte> body, out string? model, out List<SimulatedFault> faults)
    {
        // A fault script is all or nothing, so its first problem is the answer.
        var script = new ScriptReader { Faults = [] };
        var error = SimJson.ReadObject(
            body,
            ref script,
            out _,
            notAnObject: "The request body must be a JSON object: {\"model\":\"...\",\"faults\":[...]}.",
            emptyBody: null,
            stopAtFirstProblem: true);
        model = script.Model;
        faults = script.Faults;
        if (error is not null)
        {
            return error;
        }

        if (model is null)
        {
            return SimError.Missing("model");
        }

        return script.FaultsSeen ? null : SimError.Missing("faults");
    }

    /// <summary>The state of one <see cref="ReadFaults"/> while the script's properties go by.</summary>
    private struct ScriptReader : IJsonPropertyReader
    {
        public string? Model;
        public List<SimulatedFault> Faults;
        public bool FaultsSeen;

        public SimError? ReadProperty(ref Utf8JsonReader reader)
        {
            if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return SimError.WrongType("model", "a string");
                }

                Model = reader.GetString();
            }
            else if (reader.ValueTextEquals("faults"u8))
            {
                reader.Read();
                FaultsSeen = true;
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return SimError.WrongType("faults", "an array of fault objects");
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var error = ReadFault(ref reader, $"faults[{Faults.Count}]", out var fault);
                    if (error is not null)
                    {
                        return error;
                    }

                    Faults.Add(fault!);
                }
            }
            else
            {
                var name = reader.GetString();
                return SimError.Invalid($"Unknown parameter: '{name}'.", name, "unknown_parameter");
            }

            return null;
        }
    }

    private static SimError? ReadFault(ref Utf8JsonReader reader, string path, out SimulatedFault? fault)
    {
        fault = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return SimError.WrongType(path, "an object");
        }

        SimulatedFaultKind? kind = null;
        var result = new SimulatedFault(SimulatedFaultKind.None);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            var param = $"{path}.{name}";
            if (name == "kind")
            {
                kind = reader.TokenType == JsonTokenType.String ? ParseKind(reader.GetString()!) : null;
                if (kind is null)
                {
                    return SimError.Invalid($"Invalid '{param}': expected one of none, error, rate_limit, stall, drop.", param, "invalid_value");
                }

                continue;
            }

            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var value))
            {
                return name is "status" or "retryAfterSeconds" or "stallMs" or "afterTokens"
                    ? SimError.WrongType(param, "an integer")
                    : SimError.Invalid($"Unknown parameter: '{param}'.", param, "unknown_parameter");
            }

            switch (name)
            {
                case "status":
                    result = result with { Status = value };
                    break;
                case "retryAfterSeconds":
                    result = result with { RetryAfterSeconds = value };
                    break;
                case "stallMs":
                    result = result with { StallMs = value };
                    break;
                case "afterTokens":
                    result = result with { AfterTokens = value };
                    break;
                default:
                    return SimError.Invalid($"Unknown parameter: '{param}'.", param, "unknown_parameter");
            }
        }

        if (kind is null)
        {
            return SimError.Missing($"{path}.kind");
        }

        result = result with { Kind = kind.Value };
        if (SimulatorState.Describe(result) is { } problem)
        {
            return SimError.Invalid($"Invalid '{path}': {problem}.", path, "invalid_value");
        }

        fault = result;
        return null;
    }

    private static SimulatedFaultKind? ParseKind(string kind) => kind switch
    {
        "none" => SimulatedFaultKind.None,
        "error" => SimulatedFaultKind.Error,
        "rate_limit" or "rateLimit" => SimulatedFaultKind.RateLimit,
        "stall" => SimulatedFaultKind.Stall,
        "drop" => SimulatedFaultKind.Drop,
        _ => null,
    };
}
