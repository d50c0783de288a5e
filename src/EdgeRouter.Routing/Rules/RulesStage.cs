using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;
using EdgeRouter.Pipeline.Routing;
using EdgeRouter.Routing.Routers;

namespace EdgeRouter.Routing.Rules;

/// <summary>
/// Rule-based routing: the first rule whose conditions all hold pins its model (later routers then only advise);
/// when none matches the request continues to the next stage unchanged. Patterns run on .NET's non-backtracking
/// regex engine, so a client's prompt cannot make a rule take super-linear time.
/// </summary>
public sealed class RulesStage : IRouteStage
{
    private readonly Rule[] _rules;

    /// <summary>Creates the stage from compiled rules.</summary>
    internal RulesStage(IReadOnlyList<Rule> rules) => _rules = [.. rules];

    /// <inheritdoc />
    public string Kind => RulesStageFactory.KindName;

    /// <inheritdoc />
    public ValueTask<StageOutcome> InvokeAsync(RequestContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.SkippedForPin(Kind))
        {
            return new(StageOutcome.Continue);
        }

        var routing = context.Routing;

        var features = PromptFeatures.Of(context);
        foreach (var rule in _rules)
        {
            if (rule.Matches(context, features, out var why))
            {
                routing.Pin(new RouterVote(Kind, Distribution.OneHot(routing.Models.Count, rule.ModelIndex), rule.ModelIndex, $"{rule.Name}: {why}"));
                context.Trace.Add(Kind, $"{rule.Name} → {routing.Models[rule.ModelIndex].Id} ({why})");
                return new(StageOutcome.Continue);
            }
        }

        context.Trace.Add(Kind, "no rule matched");
        return new(StageOutcome.Continue);
    }
}

/// <summary>A compiled rule.</summary>
internal sealed class Rule
{
    public required string Name { get; init; }

    public required int ModelIndex { get; init; }

    public Regex? Pattern { get; init; }

    public Regex? Keywords { get; init; }

    public int? MinTokens { get; init; }

    public int? MaxTokens { get; init; }

    public HeaderCondition? Header { get; init; }

    public Regex? HeaderPattern { get; init; }

    public HashSet<string>? Tenants { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public bool? Tools { get; init; }

    public bool? Images { get; init; }

    public string? ResponseFormat { get; init; }

    /// <summary>True when every condition holds; <paramref name="why"/> names them.</summary>
    public bool Matches(RequestContext context, PromptFeatures features, out string why)
    {
        var request = context.Request;
        why = "always";
        var reasons = new List<string>(2);
        if (Tools is { } tools)
        {
            if (request.HasTools != tools)
            {
                return false;
            }

            reasons.Add(tools ? "has tools" : "no tools");
        }

        if (Images is { } images)
        {
            if (request.HasImages != images)
            {
                return false;
            }

            reasons.Add(images ? "has images" : "no images");
        }

        if (ResponseFormat is { } format)
        {
            var actual = request.ResponseFormat ?? "text";
            if (!(format == actual || (format == "json" && actual is "json_object" or "json_schema")))
            {
                return false;
            }

            reasons.Add($"response_format {actual}");
        }

        if (Tenants is { } tenants)
        {
            if (!tenants.Contains(context.Tenant))
            {
                return false;
            }

            reasons.Add($"tenant {context.Tenant}");
        }

        if (Header is { } header && !MatchesHeader(context, header, reasons))
        {
            return false;
        }

        if (MinTokens is not null || MaxTokens is not null)
        {
            var tokens = features.EstimatedTokens;
            if (tokens < (MinTokens ?? 0) || tokens > (MaxTokens ?? int.MaxValue))
            {
                return false;
            }

            reasons.Add($"~{tokens} tokens");
        }

        if (Metadata is { } metadata)
        {
            var actual = RequestMetadata.Read(request.Body.Span);
            foreach (var (key, value) in metadata)
            {
                if (!actual.TryGetValue(key, out var got) || got != value)
                {
                    return false;
                }
            }

            reasons.Add("metadata");
        }

        if (Keywords is { } keywords)
        {
            var match = keywords.Match(features.Text);
            if (!match.Success)
            {
                return false;
            }

            reasons.Add($"keyword '{match.Value}'");
        }

        if (Pattern is { } pattern)
        {
            if (!pattern.IsMatch(features.Text))
            {
                return false;
            }

            reasons.Add("regex");
        }

        if (reasons.Count > 0)
        {
            why = string.Join(", ", reasons);
        }

        return true;
    }

    private bool MatchesHeader(RequestContext context, HeaderCondition header, List<string> reasons)
    {
        var values = context.Headers[header.Name];
        var present = values.Count > 0;
        if (!header.Present)
        {
            if (present)
            {
                return false;
            }

            reasons.Add($"no {header.Name}");
            return true;
        }

        if (!present)
        {
            return false;
        }

        var value = values.ToString();
        if (header.EqualsValue is { } expected && !string.Equals(value, expected, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (HeaderPattern is { } pattern && !pattern.IsMatch(value))
        {
            return false;
        }

        reasons.Add($"header {header.Name}");
        return true;
    }
}

/// <summary>Reads the string values of a chat request body's top-level <c>metadata</c> object.</summary>
internal static class RequestMetadata
{
    public static Dictionary<string, string> Read(ReadOnlySpan<byte> body)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return result;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMetadata = reader.ValueTextEquals("metadata"u8);
            reader.Read();
            if (!isMetadata || reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString()!;
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    result[key] = reader.GetString()!;
                }
                else
                {
                    reader.Skip();
                }
            }

            break;
        }

        return result;
    }
}

/// <summary>Factory of <c>rules</c> stages.</summary>
public sealed class RulesStageFactory : StageFactory<RulesSettings>
{
    /// <summary>The <c>kind</c> value.</summary>
    public const string KindName = "rules";

    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    /// <inheritdoc />
    public override string Kind => KindName;

    /// <inheritdoc />
    public override StageTermination Termination => StageTermination.Never;

    /// <inheritdoc />
    public override StageRole Role => StageRole.Router;

    /// <inheritdoc />
    protected override JsonTypeInfo<RulesSettings> SettingsTypeInfo => RoutingJsonContext.Default.RulesSettings;

    /// <inheritdoc />
    protected override void Validate(RulesSettings settings, StageBindingContext context)
    {
        var path = context.Path;
        var errors = context.Errors;
        errors.Require(settings.Rules.Count > 0, $"{path}.rules", "must list at least one rule");
        RouterSettings.RequireRouteModels(context, path, 1);
        for (var i = 0; i < settings.Rules.Count; i++)
        {
            var rule = settings.Rules[i];
            var rulePath = $"{path}.rules[{i}]";
            if (errors.Require(rule.Model.Length > 0, $"{rulePath}.model", "must name the model the rule sends requests to"))
            {
                RouterSettings.RequireRouteModel(rule.Model, $"{rulePath}.model", context);
            }

            var when = rule.When;
            var whenPath = $"{rulePath}.when";
            CheckPattern(when.Regex, $"{whenPath}.regex", errors);
            if (when.Keywords is { } keywords)
            {
                errors.Require(keywords.Count > 0 && keywords.All(k => k.Trim().Length > 0), $"{whenPath}.keywords", "must list non-empty words");
            }

            errors.Require(when.MinTokens is null or >= 0, $"{whenPath}.minTokens", $"must be >= 0, got {when.MinTokens}");
            errors.Require(when.MaxTokens is null or >= 0, $"{whenPath}.maxTokens", $"must be >= 0, got {when.MaxTokens}");
            errors.Require(when.MinTokens is null || when.MaxTokens is null || when.MinTokens <= when.MaxTokens, $"{whenPath}.maxTokens",
                $"must be >= minTokens ({when.MinTokens}), got {when.MaxTokens}");
            if (when.Header is { } header)
            {
                errors.Require(header.Name.Length > 0, $"{whenPath}.header.name", "must name a header");
                CheckPattern(header.Matches, $"{whenPath}.header.matches", errors);
                errors.Require(header.Present || (header.EqualsValue is null && header.Matches is null), $"{whenPath}.header",
                    "cannot require a value of a header that must be absent");
            }

            if (when.Tenants is { } tenants)
            {
                errors.Require(tenants.Count > 0, $"{whenPath}.tenants", "must list at least one tenant");
            }

            errors.Require(when.ResponseFormat is null or "text" or "json_object" or "json_schema" or "json", $"{whenPath}.responseFormat",
                $"must be 'text', 'json_object', 'json_schema' or 'json', got '{when.ResponseFormat}'");
        }
    }

    private static void CheckPattern(string? pattern, string path, ConfigErrors errors)
    {
        if (pattern is null)
        {
            return;
        }

        try
        {
            _ = new Regex(pattern, Options);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            errors.Add(path, $"is not a usable pattern: {ex.Message}");
        }
    }

    /// <inheritdoc />
    protected override IRouteStage Create(RulesSettings settings, StageServices services)
    {
        var models = services.RouteModels;
        var rules = settings.Rules.Select((rule, i) =>
        {
            var when = rule.When;
            return new Rule
            {
                Name = rule.Name ?? $"rule {i + 1}",
                ModelIndex = RouterSettings.IndexOf(models, rule.Model, services),
                Pattern = when.Regex is { } regex ? new Regex(regex, Options) : null,
                Keywords = when.Keywords is { } words
                    ? new Regex(@"\b(?:" + string.Join("|", words.Select(w => Regex.Escape(w.Trim()))) + @")\b", Options | RegexOptions.IgnoreCase)
                    : null,
                MinTokens = when.MinTokens,
                MaxTokens = when.MaxTokens,
                Header = when.Header,
                HeaderPattern = when.Header?.Matches is { } matches ? new Regex(matches, Options) : null,
                Tenants = when.Tenants is { } tenants ? new HashSet<string>(tenants, StringComparer.Ordinal) : null,
                Metadata = when.Metadata,
                Tools = when.Tools,
                Images = when.Images,
                ResponseFormat = when.ResponseFormat,
            };
        }).ToList();
        return new RulesStage(rules);
    }
}
