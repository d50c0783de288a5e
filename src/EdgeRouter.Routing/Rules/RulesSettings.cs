using System.Text.Json.Serialization;

namespace EdgeRouter.Routing.Rules;

/// <summary>Settings of a <c>rules</c> stage: rules tried in order; the first whose conditions all hold pins its model.</summary>
public sealed record RulesSettings
{
    /// <summary>The rules, in order.</summary>
    public IReadOnlyList<RuleSettings> Rules { get; set; } = [];
}

/// <summary>One rule: conditions (all must hold) and the model they send the request to.</summary>
public sealed record RuleSettings
{
    /// <summary>The rule's name in traces; defaults to <c>rule N</c>.</summary>
    public string? Name { get; set; }

    /// <summary>The conditions; a rule with none always matches (a catch-all at the end).</summary>
    public RuleConditions When { get; set; } = new();

    /// <summary>The model a match pins (one of the route's models).</summary>
    public string Model { get; set; } = "";
}

/// <summary>Conditions of a rule; every condition given must hold.</summary>
public sealed record RuleConditions
{
    /// <summary>A regular expression the last user message must match (.NET syntax without backreferences or lookarounds: matched in linear time).</summary>
    public string? Regex { get; set; }

    /// <summary>Words or phrases, any of which must occur in the last user message as whole words, ignoring case.</summary>
    public IReadOnlyList<string>? Keywords { get; set; }

    /// <summary>The prompt must be at least this long, in estimated tokens (UTF-8 bytes / 4).</summary>
    public int? MinTokens { get; set; }

    /// <summary>The prompt must be at most this long, in estimated tokens.</summary>
    public int? MaxTokens { get; set; }

    /// <summary>A request header condition.</summary>
    public HeaderCondition? Header { get; set; }

    /// <summary>The request's tenant must be one of these.</summary>
    public IReadOnlyList<string>? Tenants { get; set; }

    /// <summary>Each key of the body's <c>metadata</c> object must have this string value.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; set; }

    /// <summary>True: the request must offer tools; false: it must not.</summary>
    public bool? Tools { get; set; }

    /// <summary>True: the request must contain images; false: it must not.</summary>
    public bool? Images { get; set; }

    /// <summary>
    /// The request's <c>response_format</c> type must be this: <c>json_object</c>, <c>json_schema</c>, <c>text</c>, or
    /// <c>json</c> for either JSON type.
    /// </summary>
    public string? ResponseFormat { get; set; }
}

/// <summary>A header condition: present, equal to a value, or matching a pattern.</summary>
public sealed record HeaderCondition
{
    /// <summary>The header's name.</summary>
    public string Name { get; set; } = "";

    /// <summary>The value must equal this (ordinal, ignoring case).</summary>
    [JsonPropertyName("equals")]
    public string? EqualsValue { get; set; }

    /// <summary>The value must match this regular expression.</summary>
    public string? Matches { get; set; }

    /// <summary>True: the header must be present; false: absent. Default: present.</summary>
    public bool Present { get; set; } = true;
}
