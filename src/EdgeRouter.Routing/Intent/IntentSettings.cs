namespace EdgeRouter.Routing.Intent;

/// <summary>Settings of an <c>intent</c> stage: intents defined by example utterances.</summary>
public sealed record IntentSettings
{
    /// <summary>The encoder (under <c>inference.encoders</c>) that embeds prompts and examples.</summary>
    public string Encoder { get; set; } = "default";

    /// <summary>The intents; a prompt belongs to the most similar one when its similarity reaches that intent's threshold.</summary>
    public IReadOnlyList<IntentDefinition> Intents { get; set; } = [];
}

/// <summary>One intent: example utterances, a similarity threshold and, optionally, the model it pins.</summary>
public sealed record IntentDefinition
{
    /// <summary>The intent's name (also a class a Mixture-of-Routers can weigh by).</summary>
    public string Name { get; set; } = "";

    /// <summary>Example utterances; a prompt's score is its highest cosine similarity to any of them.</summary>
    public IReadOnlyList<string> Examples { get; set; } = [];

    /// <summary>Minimum score to recognise the intent, in [-1, 1]; tune it with <c>edgerouter fit</c>.</summary>
    public double Threshold { get; set; } = 0.8;

    /// <summary>The model a recognised intent pins; null to only label the request (for a mixture's weights).</summary>
    public string? Model { get; set; }
}
