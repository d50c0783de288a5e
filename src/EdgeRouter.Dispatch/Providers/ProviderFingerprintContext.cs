using System.Text.Json.Serialization;
using EdgeRouter.Configuration;

namespace EdgeRouter.Dispatch.Providers;

/// <summary>Serializes provider settings to compare them across reloads.</summary>
[JsonSerializable(typeof(ProviderConfig))]
internal sealed partial class ProviderFingerprintContext : JsonSerializerContext;
