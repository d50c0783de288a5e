using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeRouter.Dispatch.Strategies;

namespace EdgeRouter.Dispatch;

/// <summary>Source-generated JSON metadata for strategy stage settings; same conventions as the main config.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(DirectStageSettings))]
[JsonSerializable(typeof(CascadeStageSettings))]
[JsonSerializable(typeof(SpeculativeStageSettings))]
internal sealed partial class DispatchJsonContext : JsonSerializerContext;
