using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeRouter.Routing.Costs;

/// <summary>
/// Source-generated (AOT-safe) JSON metadata for cost scenarios (read) and cost reports (written). Same reading
/// conventions as the gateway config: camelCase, comments and trailing commas allowed, unknown properties are
/// errors so a misspelt setting is reported rather than ignored.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CostScenario))]
[JsonSerializable(typeof(CostReport))]
public sealed partial class CostJsonContext : JsonSerializerContext;
