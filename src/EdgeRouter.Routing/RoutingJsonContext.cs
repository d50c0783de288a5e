using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeRouter.Routing.Static;

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
internal sealed partial class RoutingJsonContext : JsonSerializerContext;
