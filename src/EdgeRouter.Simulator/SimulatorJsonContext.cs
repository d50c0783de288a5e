using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeRouter.Configuration;

namespace EdgeRouter.Simulator;

/// <summary>
/// Source-generated (AOT-safe) metadata for <c>edgerouter sim --config</c> files, with the same rules as the gateway
/// configuration: camelCase, comments and trailing commas allowed, unknown members are errors.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SimulatorConfig))]
internal sealed partial class SimulatorJsonContext : JsonSerializerContext;
