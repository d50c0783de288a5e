using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeRouter.Configuration;

/// <summary>
/// Source-generated (AOT-safe) JSON metadata for the configuration records. Unknown properties are errors so a
/// misspelt setting is reported rather than silently ignored; comments and trailing commas are allowed.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GatewayConfig))]
public sealed partial class ConfigJsonContext : JsonSerializerContext;
