using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeRouter.Routing.Cost;
using EdgeRouter.Routing.Intent;
using EdgeRouter.Routing.Latency;
using EdgeRouter.Routing.Learned;
using EdgeRouter.Routing.Mixture;
using EdgeRouter.Routing.Rules;
using EdgeRouter.Routing.Static;
using EdgeRouter.Routing.Sticky;

namespace EdgeRouter.Routing;

/// <summary>Source-generated JSON metadata for routing stage settings; same conventions as the main config.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(StaticStageSettings))]
[JsonSerializable(typeof(WeightedStageSettings))]
[JsonSerializable(typeof(FallbackStageSettings))]
[JsonSerializable(typeof(RulesSettings))]
[JsonSerializable(typeof(IntentSettings))]
[JsonSerializable(typeof(LearnedRouterSettings))]
[JsonSerializable(typeof(CostRouterSettings))]
[JsonSerializable(typeof(LatencyRouterSettings))]
[JsonSerializable(typeof(MixtureSettings))]
[JsonSerializable(typeof(StickySettings))]
internal sealed partial class RoutingJsonContext : JsonSerializerContext;
