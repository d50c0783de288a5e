using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace EdgeRouter.Pipeline;

/// <summary>Binds a stage's loose JSON properties to its typed settings record, reporting errors with full paths.</summary>
public static class StageSettingsBinder
{
    /// <summary>Deserializes <c>context.Settings</c> into <typeparamref name="T"/>; on failure reports one error and returns null.</summary>
    public static T? Bind<T>(StageBindingContext context, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(typeInfo);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in context.Settings)
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        try
        {
            var settings = JsonSerializer.Deserialize(buffer.WrittenSpan, typeInfo);
            if (settings is null)
            {
                context.Errors.Add(context.Path, "must be an object");
            }

            return settings;
        }
        catch (JsonException ex)
        {
            context.Errors.Add(JoinPath(context.Path, ex.Path), DescribeJsonError(ex));
            return null;
        }
    }

    /// <summary>Joins a config path with a System.Text.Json path such as <c>$.targets[0].weight</c>.</summary>
    public static string JoinPath(string prefix, string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$")
        {
            return prefix;
        }

        var rest = jsonPath.StartsWith('$') ? jsonPath[1..] : jsonPath;
        if (rest.StartsWith('.') && prefix.Length == 0)
        {
            rest = rest[1..];
        }

        return prefix + rest;
    }

    /// <summary>Turns a deserialization failure into a message that reads after its path.</summary>
    public static string DescribeJsonError(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var message = exception.Message;
        // System.Text.Json appends "Path: ... | LineNumber: ..."; the path is reported separately.
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
        {
            message = message[..cut];
        }

        return "is invalid: " + message.TrimEnd('.', ' ');
    }
}
