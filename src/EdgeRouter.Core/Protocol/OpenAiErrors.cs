using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace EdgeRouter.Protocol;

/// <summary>Writes OpenAI-style error bodies: <c>{"error":{"message","type","param","code"}}</c>.</summary>
public static class OpenAiErrors
{
    // Messages quote names ('x'); the default encoder would escape the quotes as \u0027, unlike OpenAI.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The OpenAI error <c>type</c> for an HTTP status.</summary>
    public static string TypeFor(int statusCode) => statusCode switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        >= 400 and < 500 => "invalid_request_error",
        504 => "timeout_error",
        _ => "upstream_error",
    };

    /// <summary>Writes the error object to <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, string message, string type, string? param, string? code)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        WriteObject(writer, message, type, param, code);
    }

    /// <summary>Writes <c>{"error":{...}}</c> with <paramref name="writer"/>.</summary>
    public static void WriteObject(Utf8JsonWriter writer, string message, string type, string? param, string? code)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteStartObject("error"u8);
        writer.WriteString("message"u8, message);
        writer.WriteString("type"u8, type);
        if (param is null)
        {
            writer.WriteNull("param"u8);
        }
        else
        {
            writer.WriteString("param"u8, param);
        }

        if (code is null)
        {
            writer.WriteNull("code"u8);
        }
        else
        {
            writer.WriteString("code"u8, code);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary>The error object as UTF-8 bytes.</summary>
    public static byte[] ToBytes(string message, string type, string? param, string? code)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, message, type, param, code);
        return buffer.WrittenSpan.ToArray();
    }
}
