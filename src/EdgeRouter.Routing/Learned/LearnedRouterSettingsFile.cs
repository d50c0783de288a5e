using System.Text.Json;
using System.Text.Json.Nodes;

namespace EdgeRouter.Routing.Learned;

/// <summary>
/// Reads a <c>learned</c> router's settings outside a gateway config (for <c>edgerouter eval</c> and
/// <c>calibrate</c>): the route stage object as it appears in a config, e.g.
/// <c>{"kind":"learned","classifier":"router","threshold":0.41,"combine":{"head":1.1,"logTokens":0.2,"bias":-2.3}}</c>.
/// Bound with the same source-generated metadata as the gateway, so unknown properties are errors here too.
/// </summary>
public static class LearnedRouterSettingsFile
{
    /// <summary>Parses the stage object; <c>kind</c> is optional and, when present, must be <c>learned</c>.</summary>
    /// <exception cref="InvalidDataException">Not an object, another kind, a property the settings do not have, or a value out of range; the message says which.</exception>
    public static LearnedRouterSettings Parse(string json, string source = "settings")
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new InvalidDataException($"{source}: must be a JSON object (a learned route stage).");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: {ex.Message}", ex);
        }

        if (root["kind"] is { } kind)
        {
            if (kind.GetValueKind() != JsonValueKind.String || kind.GetValue<string>() != LearnedRouterFactory.KindName)
            {
                throw new InvalidDataException($"{source}: kind must be '{LearnedRouterFactory.KindName}', got {kind.ToJsonString()}.");
            }

            root.Remove("kind");
        }

        LearnedRouterSettings settings;
        try
        {
            settings = root.Deserialize(RoutingJsonContext.Default.LearnedRouterSettings)
                ?? throw new InvalidDataException($"{source}: must be a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: {ex.Path}: {ex.Message}", ex);
        }

        var problems = new List<string>();
        if (settings.Threshold is not (>= 0 and <= 1))
        {
            problems.Add($"threshold must be in [0, 1], got {settings.Threshold}");
        }

        if (settings.Combine is { } combine && !(double.IsFinite(combine.Head) && double.IsFinite(combine.LogTokens) && double.IsFinite(combine.Bias)))
        {
            problems.Add("combine coefficients must be finite numbers");
        }

        return problems.Count == 0 ? settings : throw new InvalidDataException($"{source}: {string.Join("; ", problems)}.");
    }

    /// <summary>The stage object of <paramref name="settings"/> as one line of config JSON (what <c>calibrate</c> prints).</summary>
    public static string ToStageJson(LearnedRouterSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var node = JsonSerializer.SerializeToNode(settings, RoutingJsonContext.Default.LearnedRouterSettings)!.AsObject();
        var stage = new JsonObject { ["kind"] = LearnedRouterFactory.KindName };
        foreach (var (name, value) in node.ToList())
        {
            node.Remove(name);
            if (value is not null)
            {
                stage[name] = value;
            }
        }

        return stage.ToJsonString();
    }
}
