using System.Text.Json;
using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;

namespace EdgeRouter.Routing.Costs;

/// <summary>Reads, binds and validates a cost scenario (the input of <c>edgerouter simulate</c>).</summary>
public static class CostScenarioLoader
{
    private const string WorkedExampleResource = "EdgeRouter.Routing.Costs.worked-example.json";

    /// <summary>Where the worked example ships as a file, relative to the repository root.</summary>
    public const string WorkedExamplePath = "examples/simulate/worked-example.json";

    /// <summary>
    /// The worked example (<c>examples/simulate/worked-example.json</c>, embedded in this assembly): one million
    /// requests a month priced as static flagship, a three-tier cascade, a Mixture-of-Routers and the same with a
    /// cache.
    /// </summary>
    public static byte[] WorkedExampleJson()
    {
        using var stream = typeof(CostScenarioLoader).Assembly.GetManifestResourceStream(WorkedExampleResource)
            ?? throw new InvalidOperationException($"resource {WorkedExampleResource} is missing from {typeof(CostScenarioLoader).Assembly.GetName().Name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Loads the scenario file at <paramref name="path"/>; a file that cannot be read is one error.</summary>
    public static CostScenarioLoadResult LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            // Named reasons for the common cases: the AOT binary is built with UseSystemResourceKeys, whose
            // exception messages are resource keys rather than sentences.
            var reason = ex switch
            {
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException => "permission denied",
                _ => ex.Message,
            };
            return new CostScenarioLoadResult(null, [new ConfigError("", $"cannot read scenario file '{path}': {reason}")]);
        }

        return Load(bytes);
    }

    /// <summary>Binds and validates a scenario from UTF-8 JSON. Malformed JSON or a wrong type is one error with its path, line and column.</summary>
    public static CostScenarioLoadResult Load(ReadOnlySpan<byte> utf8Json)
    {
        CostScenario? scenario;
        try
        {
            scenario = JsonSerializer.Deserialize(utf8Json, CostJsonContext.Default.CostScenario);
        }
        catch (JsonException ex)
        {
            return new CostScenarioLoadResult(null, [Describe(utf8Json, ex)]);
        }

        if (scenario is null)
        {
            return new CostScenarioLoadResult(null, [new ConfigError("", "scenario must be a JSON object, got null")]);
        }

        var errors = CostScenarioValidator.Validate(scenario);
        return errors.Count == 0 ? new CostScenarioLoadResult(scenario, []) : new CostScenarioLoadResult(null, errors);
    }

    /// <summary>
    /// Says in words what a binding failure means: malformed JSON, an unknown setting or a value of the wrong type,
    /// with the path, line and column. The exception's own message is not shown because the AOT binary is built
    /// with <c>UseSystemResourceKeys</c>, which turns it into a resource key; the type it names is used instead.
    /// </summary>
    private static ConfigError Describe(ReadOnlySpan<byte> utf8Json, JsonException ex)
    {
        var where = ex.LineNumber is { } line ? $" (line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1})" : "";
        if (FirstSyntaxError(utf8Json) is { } syntax)
        {
            var at = syntax.LineNumber is { } l ? $" at line {l + 1}, column {(syntax.BytePositionInLine ?? 0) + 1}" : "";
            return new ConfigError("", $"the scenario is not valid JSON{at}");
        }

        var path = StageSettingsBinder.JoinPath("", ex.Path);
        var message = ex.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        message = cut > 0 ? message[..cut] : message; // the path is not a type name
        if (message.Contains("UnmappedJsonProperty", StringComparison.Ordinal) || message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            return new ConfigError(path, $"is not a known setting{where}");
        }

        var found = KindAt(utf8Json, ex.Path);
        if (found == JsonValueKind.Null)
        {
            return new ConfigError(path, $"{(path.Length == 0 ? "the scenario " : "")}must not be null{where}");
        }

        var expected = message switch
        {
            _ when message.Contains("Dictionary", StringComparison.Ordinal) => "an object",
            _ when message.Contains("List", StringComparison.Ordinal) => "an array",
            _ when message.Contains("System.Int64", StringComparison.Ordinal) => "a whole number",
            _ when message.Contains("System.Decimal", StringComparison.Ordinal) => "a number",
            _ when message.Contains("System.String", StringComparison.Ordinal) => "a string",
            _ when message.Contains("EdgeRouter.", StringComparison.Ordinal) => "an object",
            _ => "another type",
        };
        if (found == JsonValueKind.Number && expected is "a whole number" or "a number")
        {
            // A number the target type cannot hold: a fraction for a count, or beyond a decimal's range.
            var limits = expected == "a whole number" ? "" : " (at most about ±7.9e28)";
            return new ConfigError(path, $"cannot be represented as {expected}{limits}{where}");
        }

        var got = found switch
        {
            JsonValueKind.Object => ", got an object",
            JsonValueKind.Array => ", got an array",
            JsonValueKind.String => ", got a string",
            JsonValueKind.Number => ", got a number",
            JsonValueKind.True or JsonValueKind.False => ", got a boolean",
            _ => "",
        };
        return new ConfigError(path, $"{(path.Length == 0 ? "the scenario " : "")}has the wrong type: expected {expected}{got}{where}");
    }

    /// <summary>
    /// The kind of the value at a System.Text.Json path (<c>$.strategies[1].tiers</c>, <c>$.mix['a b']</c>) in a
    /// well-formed document; null when the path cannot be followed.
    /// </summary>
    private static JsonValueKind? KindAt(ReadOnlySpan<byte> utf8Json, string? jsonPath)
    {
        using var document = JsonDocument.Parse(utf8Json.ToArray(), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var element = document.RootElement;
        var rest = (jsonPath ?? "$").AsSpan();
        if (!rest.StartsWith("$"))
        {
            return null;
        }

        rest = rest[1..];
        while (!rest.IsEmpty)
        {
            if (rest.StartsWith("['"))
            {
                var end = rest.IndexOf("']");
                if (end < 0 || element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(rest[2..end], out element))
                {
                    return null;
                }

                rest = rest[(end + 2)..];
            }
            else if (rest[0] == '[')
            {
                var end = rest.IndexOf(']');
                if (end < 0 || element.ValueKind != JsonValueKind.Array
                    || !int.TryParse(rest[1..end], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
                    || index >= element.GetArrayLength())
                {
                    return null;
                }

                element = element[index];
                rest = rest[(end + 1)..];
            }
            else if (rest[0] == '.')
            {
                rest = rest[1..];
                var end = rest.IndexOfAny('.', '[');
                var name = end < 0 ? rest : rest[..end];
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
                {
                    return null;
                }

                rest = end < 0 ? [] : rest[end..];
            }
            else
            {
                return null;
            }
        }

        return element.ValueKind;
    }

    /// <summary>The first syntax error of the document, or null when it is well-formed JSON (comments and trailing commas allowed).</summary>
    private static JsonException? FirstSyntaxError(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            while (reader.Read())
            {
            }

            return null;
        }
        catch (JsonException ex)
        {
            return ex;
        }
    }
}

/// <summary>A loaded scenario, or every reason it could not be loaded.</summary>
/// <param name="Scenario">The valid scenario; null when <paramref name="Errors"/> is not empty.</param>
/// <param name="Errors">Every problem found, each with its JSON path.</param>
public sealed record CostScenarioLoadResult(CostScenario? Scenario, IReadOnlyList<ConfigError> Errors)
{
    /// <summary>True when the scenario can be simulated.</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Scenario))]
    public bool IsValid => Scenario is not null;
}
