using System.Text;
using System.Text.Json;

namespace EdgeRouter.Protocol;

/// <summary>
/// Validates a chat completion request in one forward pass over its bytes (no DOM) and records what routing and
/// forwarding need. Checks the types of every field of OpenAI's request schema; unknown fields are skipped and
/// stay in the body. Never throws for bad input: every problem becomes a <see cref="RequestError"/>.
/// </summary>
public static class ChatRequestParser
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    /// <summary>Parses <paramref name="body"/>; returns the request, or null with <paramref name="error"/> set.</summary>
    public static ChatRequest? Parse(ReadOnlyMemory<byte> body, out RequestError? error)
    {
        var request = new ChatRequest(body);
        try
        {
            var reader = new Utf8JsonReader(body.Span, ReaderOptions);
            error = ParseRoot(ref reader, request);
            if (error is null && reader.Read())
            {
                error = InvalidJson("unexpected data after the top-level object", reader.TokenStartIndex);
            }
        }
        catch (JsonException ex)
        {
            error = InvalidJson(ex.Message, ex.BytePositionInLine);
        }
        catch (InvalidOperationException)
        {
            // GetString on malformed UTF-8 or escapes.
            error = new RequestError(400, "The request body contains an invalid string (bad UTF-8 or escape sequence).", null, "invalid_json");
        }

        return error is null ? request : null;
    }

    private static RequestError InvalidJson(string detail, long? position) =>
        new(400, $"We could not parse the JSON body of your request: {detail.TrimEnd('.')}"
            + (position is { } p ? $" (near byte {p})." : "."), null, "invalid_json");

    private static RequestError? ParseRoot(ref Utf8JsonReader reader, ChatRequest request)
    {
        if (!reader.Read())
        {
            return new RequestError(400, "The request body is empty; expected a JSON object.", null, "invalid_json");
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return new RequestError(400, $"The request body must be a JSON object, but got {Describe(reader.TokenType)}.", null, "invalid_json");
        }

        var seen = new KnownFields();
        long? maxTokens = null;
        long? maxCompletionTokens = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = Classify(ref reader);
            if (field != Field.Unknown && !seen.Add(field))
            {
                var duplicate = reader.GetString();
                return new RequestError(400, $"Duplicate parameter: '{duplicate}'.", duplicate, "duplicate_parameter");
            }

            reader.Read();
            RequestError? error;
            switch (field)
            {
                case Field.Model:
                    error = ReadModel(ref reader, request);
                    break;
                case Field.Messages:
                    error = MessagesParser.Read(ref reader, request);
                    break;
                case Field.Stream:
                    error = ReadStream(ref reader, request);
                    break;
                case Field.StreamOptions:
                    error = ReadStreamOptions(ref reader, request);
                    break;
                case Field.Temperature:
                    error = ReadNumber(ref reader, "temperature", 0, 2, out var temperature);
                    request.Temperature = temperature;
                    break;
                case Field.TopP:
                    error = ReadNumber(ref reader, "top_p", 0, 1, out _);
                    break;
                case Field.PresencePenalty or Field.FrequencyPenalty:
                    error = ReadNumber(ref reader, Name(field), -2, 2, out _);
                    break;
                case Field.N:
                    error = ReadInteger(ref reader, "n", 1, 128, out var n);
                    request.Choices = (int)(n ?? 1);
                    break;
                case Field.MaxTokens:
                    error = ReadInteger(ref reader, "max_tokens", 0, long.MaxValue, out maxTokens);
                    break;
                case Field.MaxCompletionTokens:
                    error = ReadInteger(ref reader, "max_completion_tokens", 0, long.MaxValue, out maxCompletionTokens);
                    break;
                case Field.TopLogprobs:
                    error = ReadInteger(ref reader, "top_logprobs", 0, 20, out _);
                    break;
                case Field.Seed:
                    error = ReadInteger(ref reader, "seed", long.MinValue, long.MaxValue, out _);
                    break;
                case Field.Logprobs or Field.ParallelToolCalls or Field.Store:
                    error = ReadBoolean(ref reader, Name(field));
                    break;
                case Field.Stop:
                    error = ReadStop(ref reader);
                    break;
                case Field.Tools or Field.Functions:
                    error = ReadTools(ref reader, Name(field), request);
                    break;
                case Field.ToolChoice or Field.FunctionCall:
                    error = ExpectStringOrObject(ref reader, Name(field));
                    break;
                case Field.ResponseFormat:
                    error = ReadResponseFormat(ref reader, request);
                    break;
                case Field.User or Field.ServiceTier or Field.ReasoningEffort:
                    error = ExpectString(ref reader, Name(field));
                    break;
                case Field.LogitBias or Field.Metadata or Field.Audio or Field.Prediction or Field.WebSearchOptions:
                    error = ExpectObject(ref reader, Name(field));
                    break;
                case Field.Modalities:
                    error = ExpectStringArray(ref reader, "modalities");
                    break;
                default:
                    reader.Skip();
                    error = null;
                    break;
            }

            if (error is not null)
            {
                return error;
            }
        }

        request.MaxTokens = maxCompletionTokens ?? maxTokens;
        request.ObjectEnd = (int)reader.TokenStartIndex;
        if (!seen.Contains(Field.Model))
        {
            return RequestError.Missing("model");
        }

        return seen.Contains(Field.Messages) ? null : RequestError.Missing("messages");
    }

    private static RequestError? ReadModel(ref Utf8JsonReader reader, ChatRequest request)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return RequestError.InvalidType("model", "a string", Describe(reader.TokenType));
        }

        var model = reader.GetString()!;
        if (model.Length == 0)
        {
            return RequestError.InvalidValue("model", "the model must not be empty.");
        }

        request.Model = model;
        request.ModelValue = new JsonRange((int)reader.TokenStartIndex, (int)(reader.BytesConsumed - reader.TokenStartIndex));
        return null;
    }

    private static RequestError? ReadStream(ref Utf8JsonReader reader, ChatRequest request)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True:
                request.Stream = true;
                return null;
            case JsonTokenType.False or JsonTokenType.Null:
                request.Stream = false;
                return null;
            default:
                return RequestError.InvalidType("stream", "a boolean", Describe(reader.TokenType));
        }
    }

    private static RequestError? ReadStreamOptions(ref Utf8JsonReader reader, ChatRequest request)
    {
        var start = (int)reader.TokenStartIndex;
        if (reader.TokenType == JsonTokenType.Null)
        {
            request.StreamOptionsValue = new JsonRange(start, 4);
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return RequestError.InvalidType("stream_options", "an object", Describe(reader.TokenType));
        }

        var count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            count++;
            var isIncludeUsage = reader.ValueTextEquals("include_usage"u8);
            reader.Read();
            if (isIncludeUsage)
            {
                if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null))
                {
                    return RequestError.InvalidType("stream_options.include_usage", "a boolean", Describe(reader.TokenType));
                }

                request.IncludeUsage = reader.TokenType == JsonTokenType.True;
                request.IncludeUsageValue = new JsonRange((int)reader.TokenStartIndex, (int)(reader.BytesConsumed - reader.TokenStartIndex));
            }
            else
            {
                reader.Skip();
            }
        }

        request.StreamOptionsPropertyCount = count;
        request.StreamOptionsValue = new JsonRange(start, (int)reader.BytesConsumed - start);
        return null;
    }

    private static RequestError? ReadNumber(ref Utf8JsonReader reader, string name, double min, double max, out double? result)
    {
        result = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number)
        {
            return RequestError.InvalidType(name, "a number", Describe(reader.TokenType));
        }

        var value = reader.GetDouble();
        if (value < min || value > max || double.IsNaN(value))
        {
            return new RequestError(400, $"Invalid '{name}': must be between {min} and {max}, got {value}.", name, "invalid_value");
        }

        result = value;
        return null;
    }

    private static RequestError? ReadInteger(ref Utf8JsonReader reader, string name, long min, long max, out long? result)
    {
        result = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value))
        {
            return RequestError.InvalidType(name, "an integer", reader.TokenType == JsonTokenType.Number ? "a decimal" : Describe(reader.TokenType));
        }

        if (value < min || value > max)
        {
            return new RequestError(400, max == long.MaxValue
                ? $"Invalid '{name}': must be at least {min}, got {value}."
                : $"Invalid '{name}': must be between {min} and {max}, got {value}.", name, "invalid_value");
        }

        result = value;
        return null;
    }

    private static RequestError? ReadBoolean(ref Utf8JsonReader reader, string name) =>
        reader.TokenType is JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null
            ? null
            : RequestError.InvalidType(name, "a boolean", Describe(reader.TokenType));

    private static RequestError? ReadStop(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is JsonTokenType.String or JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return RequestError.InvalidType("stop", "a string or an array of strings", Describe(reader.TokenType));
        }

        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                return RequestError.InvalidType($"stop[{index}]", "a string", Describe(reader.TokenType));
            }

            index++;
        }

        return null;
    }

    private static RequestError? ReadTools(ref Utf8JsonReader reader, string name, ChatRequest request)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return RequestError.InvalidType(name, "an array", Describe(reader.TokenType));
        }

        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return RequestError.InvalidType($"{name}[{index}]", "an object", Describe(reader.TokenType));
            }

            reader.Skip();
            index++;
        }

        request.HasTools |= index > 0;
        return null;
    }

    private static RequestError? ReadResponseFormat(ref Utf8JsonReader reader, ChatRequest request)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return RequestError.InvalidType("response_format", "an object", Describe(reader.TokenType));
        }

        string? type = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isType = reader.ValueTextEquals("type"u8);
            reader.Read();
            if (isType)
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    return RequestError.InvalidType("response_format.type", "a string", Describe(reader.TokenType));
                }

                type = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        if (type is null)
        {
            return RequestError.Missing("response_format.type");
        }

        request.ResponseFormat = type;
        return null;
    }

    private static RequestError? ExpectString(ref Utf8JsonReader reader, string name) =>
        reader.TokenType is JsonTokenType.String or JsonTokenType.Null
            ? null
            : RequestError.InvalidType(name, "a string", Describe(reader.TokenType));

    private static RequestError? ExpectObject(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return RequestError.InvalidType(name, "an object", Describe(reader.TokenType));
        }

        reader.Skip();
        return null;
    }

    private static RequestError? ExpectStringOrObject(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType is JsonTokenType.String or JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return RequestError.InvalidType(name, "a string or an object", Describe(reader.TokenType));
        }

        reader.Skip();
        return null;
    }

    private static RequestError? ExpectStringArray(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return RequestError.InvalidType(name, "an array", Describe(reader.TokenType));
        }

        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                return RequestError.InvalidType($"{name}[{index}]", "a string", Describe(reader.TokenType));
            }

            index++;
        }

        return null;
    }

    /// <summary>Describes a token for error messages, the way OpenAI does ("a string", "an array").</summary>
    public static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        _ => token.ToString(),
    };

    private static Field Classify(ref Utf8JsonReader reader)
    {
        // Property names are short and escapes are rare; compare the raw bytes when unescaped.
        if (reader.ValueIsEscaped)
        {
            var name = Encoding.UTF8.GetBytes(reader.GetString()!);
            return Classify(name);
        }

        return Classify(reader.ValueSpan);
    }

    private static Field Classify(ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < FieldNames.Length; i++)
        {
            if (name.SequenceEqual(FieldNames[i]))
            {
                return (Field)(i + 1);
            }
        }

        return Field.Unknown;
    }

    private static string Name(Field field) => Encoding.UTF8.GetString(FieldNames[(int)field - 1]);

    // Order matches Field (Unknown = 0 excluded).
    private static readonly byte[][] FieldNames =
    [
        "model"u8.ToArray(), "messages"u8.ToArray(), "stream"u8.ToArray(), "stream_options"u8.ToArray(),
        "temperature"u8.ToArray(), "top_p"u8.ToArray(), "presence_penalty"u8.ToArray(), "frequency_penalty"u8.ToArray(),
        "n"u8.ToArray(), "max_tokens"u8.ToArray(), "max_completion_tokens"u8.ToArray(), "top_logprobs"u8.ToArray(),
        "seed"u8.ToArray(), "logprobs"u8.ToArray(), "parallel_tool_calls"u8.ToArray(), "store"u8.ToArray(),
        "stop"u8.ToArray(), "tools"u8.ToArray(), "functions"u8.ToArray(), "tool_choice"u8.ToArray(),
        "function_call"u8.ToArray(), "response_format"u8.ToArray(), "user"u8.ToArray(), "service_tier"u8.ToArray(),
        "reasoning_effort"u8.ToArray(), "logit_bias"u8.ToArray(), "metadata"u8.ToArray(), "audio"u8.ToArray(),
        "prediction"u8.ToArray(), "web_search_options"u8.ToArray(), "modalities"u8.ToArray(),
    ];

    private enum Field
    {
        Unknown,
        Model,
        Messages,
        Stream,
        StreamOptions,
        Temperature,
        TopP,
        PresencePenalty,
        FrequencyPenalty,
        N,
        MaxTokens,
        MaxCompletionTokens,
        TopLogprobs,
        Seed,
        Logprobs,
        ParallelToolCalls,
        Store,
        Stop,
        Tools,
        Functions,
        ToolChoice,
        FunctionCall,
        ResponseFormat,
        User,
        ServiceTier,
        ReasoningEffort,
        LogitBias,
        Metadata,
        Audio,
        Prediction,
        WebSearchOptions,
        Modalities,
    }

    /// <summary>A bit set of the known fields seen so far, to reject duplicates.</summary>
    private struct KnownFields
    {
        private ulong _bits;

        public bool Add(Field field)
        {
            var bit = 1UL << (int)field;
            if ((_bits & bit) != 0)
            {
                return false;
            }

            _bits |= bit;
            return true;
        }

        public readonly bool Contains(Field field) => (_bits & (1UL << (int)field)) != 0;
    }
}
