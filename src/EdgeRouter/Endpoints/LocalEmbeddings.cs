using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text.Json;
using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;
using EdgeRouter.Protocol;

namespace EdgeRouter.Endpoints;

/// <summary>Answers <c>/v1/embeddings</c> for <c>local/&lt;encoder&gt;</c> with the in-process encoder, in OpenAI's response shape.</summary>
internal sealed class LocalEmbeddings
{
    /// <summary>Most inputs one request may carry.</summary>
    public const int MaxInputs = 2048;

    private const string Prefix = ConfigValidator.LocalProvider + "/";

    private readonly ILocalModels _models;

    public LocalEmbeddings(ILocalModels models)
    {
        _models = models;
    }

    /// <summary>The model id clients use for an encoder.</summary>
    public static string ModelId(string encoder) => Prefix + encoder;

    public bool TryGetEncoder(string model, [NotNullWhen(true)] out ITextEncoder? encoder)
    {
        encoder = null;
        return model.StartsWith(Prefix, StringComparison.Ordinal) && _models.TryGetEncoder(model[Prefix.Length..], out encoder);
    }

    public async Task AnswerAsync(HttpContext http, ITextEncoder encoder, ReadOnlyMemory<byte> body)
    {
        List<string> inputs;
        var base64 = false;
        using (var document = JsonDocument.Parse(body))
        {
            var root = document.RootElement;
            var error = ReadInputs(root.GetProperty("input"), out inputs);
            error ??= ReadFormat(root, out base64);
            error ??= CheckDimensions(root, encoder);
            if (error is not null)
            {
                await ErrorWriter.WriteAsync(http, error);
                return;
            }
        }

        var buffer = new ArrayBufferWriter<byte>(inputs.Count * encoder.Dimensions * 12);
        var vector = new float[encoder.Dimensions];
        long tokens = 0;
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("object"u8, "list");
            writer.WriteStartArray("data"u8);
            for (var i = 0; i < inputs.Count; i++)
            {
                tokens += encoder.Encode(inputs[i], vector);
                writer.WriteStartObject();
                writer.WriteString("object"u8, "embedding");
                writer.WriteNumber("index"u8, i);
                if (base64)
                {
                    writer.WriteBase64String("embedding"u8, MemoryMarshal.AsBytes(vector.AsSpan()));
                }
                else
                {
                    writer.WriteStartArray("embedding"u8);
                    foreach (var value in vector)
                    {
                        writer.WriteNumberValue(value);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteString("model"u8, ModelId(encoder.Name));
            writer.WriteStartObject("usage"u8);
            writer.WriteNumber("prompt_tokens"u8, tokens);
            writer.WriteNumber("total_tokens"u8, tokens);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        http.Response.ContentType = "application/json";
        http.Response.ContentLength = buffer.WrittenCount;
        http.Response.Headers[GatewayHeaders.Model] = ModelId(encoder.Name);
        http.Response.Headers[GatewayHeaders.Provider] = ConfigValidator.LocalProvider;
        await http.Response.Body.WriteAsync(buffer.WrittenMemory, http.RequestAborted);
    }

    private static RequestError? ReadInputs(JsonElement input, out List<string> inputs)
    {
        inputs = [];
        if (input.ValueKind == JsonValueKind.String)
        {
            inputs.Add(input.GetString()!);
            return null;
        }

        var count = input.GetArrayLength();
        if (count == 0)
        {
            return new RequestError(400, "Invalid 'input': empty array. Expected at least one text.", "input", "empty_array");
        }

        if (count > MaxInputs)
        {
            return RequestError.InvalidValue("input", $"at most {MaxInputs} inputs per request, got {count}.");
        }

        var index = 0;
        foreach (var item in input.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return RequestError.InvalidType($"input[{index}]", "a string (local encoders take text, not token ids)",
                    ChatRequestParser.Describe(item.ValueKind switch
                    {
                        JsonValueKind.Number => JsonTokenType.Number,
                        JsonValueKind.Array => JsonTokenType.StartArray,
                        JsonValueKind.Object => JsonTokenType.StartObject,
                        JsonValueKind.True or JsonValueKind.False => JsonTokenType.True,
                        _ => JsonTokenType.Null,
                    }));
            }

            inputs.Add(item.GetString()!);
            index++;
        }

        return null;
    }

    private static RequestError? ReadFormat(JsonElement root, out bool base64)
    {
        base64 = false;
        if (!root.TryGetProperty("encoding_format", out var format) || format.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        switch (format.ValueKind == JsonValueKind.String ? format.GetString() : null)
        {
            case "float":
                return null;
            case "base64":
                base64 = true;
                return null;
            default:
                return RequestError.InvalidValue("encoding_format", "supported values are 'float' and 'base64'.");
        }
    }

    private static RequestError? CheckDimensions(JsonElement root, ITextEncoder encoder)
    {
        if (!root.TryGetProperty("dimensions", out var dimensions) || dimensions.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return dimensions.ValueKind == JsonValueKind.Number && dimensions.TryGetInt32(out var value) && value == encoder.Dimensions
            ? null
            : RequestError.InvalidValue("dimensions", $"local/{encoder.Name} produces {encoder.Dimensions} dimensions only.");
    }
}
