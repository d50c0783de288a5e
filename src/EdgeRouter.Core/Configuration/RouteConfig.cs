using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeRouter.Configuration;

/// <summary>A named route: an ordered pipeline of stages that ends in a decision or a response.</summary>
public sealed record RouteConfig
{
    /// <summary>Shown in <c>GET /v1/models</c>.</summary>
    public string? Description { get; set; }

    /// <summary>Stages run in order until one decides or responds.</summary>
    public IReadOnlyList<StageConfig> Stages { get; set; } = [];

    /// <summary>
    /// The models this route's routers choose among, ordered from the weakest (cheapest) to the strongest: routers
    /// output one probability per model, and strategies escalate towards the end of the list.
    /// </summary>
    public IReadOnlyList<string> Models { get; set; } = [];

    /// <summary>Concrete model ids tried, in order, after every candidate the stages chose has failed.</summary>
    public IReadOnlyList<string> Fallback { get; set; } = [];
}

/// <summary>
/// One pipeline stage: its <see cref="Kind"/> picks the stage implementation, which binds and validates the
/// remaining properties itself (see <c>IStageFactory</c>), so new stage kinds need no change here.
/// </summary>
public sealed record StageConfig
{
    /// <summary>Stage kind, e.g. <c>static</c>, <c>weighted</c>, <c>fallback</c>.</summary>
    public string Kind { get; set; } = "";

    /// <summary>Every other property of the stage object, bound by the stage's factory. Settable because System.Text.Json cannot fill extension data through an initializer.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Settings { get; set; }
}
