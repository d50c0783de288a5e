using System.Text.Json;
using EdgeRouter.Pipeline;

namespace EdgeRouter.Configuration;

/// <summary>Reads, binds and validates a configuration document.</summary>
public static class ConfigLoader
{
    /// <summary>Loads the configuration file at <paramref name="path"/>.</summary>
    /// <param name="path">The JSON file.</param>
    /// <param name="stages">Known stage kinds.</param>
    /// <param name="environment">Reads environment variables (API keys); usually <see cref="Environment.GetEnvironmentVariable(string)"/>.</param>
    public static ConfigLoadResult LoadFile(string path, StageRegistry stages, Func<string, string?> environment)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ConfigLoadResult.Failure([new ConfigError("", $"cannot read config file '{path}': {ex.Message}")]);
        }

        return Load(bytes, stages, environment);
    }

    /// <summary>Loads a configuration from UTF-8 JSON.</summary>
    public static ConfigLoadResult Load(ReadOnlySpan<byte> utf8Json, StageRegistry stages, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(environment);
        GatewayConfig? config;
        try
        {
            config = JsonSerializer.Deserialize(utf8Json, ConfigJsonContext.Default.GatewayConfig);
        }
        catch (JsonException ex)
        {
            return ConfigLoadResult.Failure([Describe(ex, "")]);
        }

        if (config is null)
        {
            return ConfigLoadResult.Failure([new ConfigError("", "config must be a JSON object, got null")]);
        }

        return ConfigValidator.Validate(config, stages, environment);
    }

    /// <summary>
    /// Turns a deserialization failure into a config error whose path starts with <paramref name="pathPrefix"/>
    /// (e.g. <c>simulator</c> for a file that holds only that section), with the line and column when known.
    /// </summary>
    public static ConfigError Describe(JsonException ex, string pathPrefix)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var path = StageSettingsBinder.JoinPath(pathPrefix, ex.Path);
        var message = StageSettingsBinder.DescribeJsonError(ex);
        if (ex.LineNumber is { } line)
        {
            message += $" (line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1})";
        }

        return new ConfigError(path, message);
    }
}
