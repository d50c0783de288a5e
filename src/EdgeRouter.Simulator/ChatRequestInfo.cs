using System.Text.Json;
using EdgeRouter.Protocol;

namespace EdgeRouter.Simulator;

/// <summary>What the simulator needs from a chat completion request, read in one pass without a DOM.</summary>
internal struct ChatRequestInfo
{
    public ModelState? Model;
    public string? ModelName;
    public int MessagesStart;
    public int MessagesLength;
    public bool Stream;
    public bool IncludeUsage;
    public long? MaxTokens;
    public int Choices;
    public long PromptTokens;
    public ScriptedReply? Scripted;

    /// <summary>
    /// Reads <paramref name="body"/>. Returns null when the request can be answered; otherwise the error to send.
    /// <see cref="Model"/> is set whenever the body names a simulated model, even if something else is wrong.
    /// </summary>
    public static SimError? Read(ReadOnlySpan<byte> body, SimulatorState state, out ChatRequestInfo info)
    {
        var request = new RequestReader(state);
        var malformed = SimJson.ReadObject(body, ref request, out var problem);
        info = request.Info;
        if (malformed is not null)
        {
            return malformed;
        }

        info.MaxTokens = request.MaxCompletionTokens ?? request.MaxTokens;
        if (!request.ModelSeen)
        {
            return SimError.Missing("model");
        }

        if (problem is null && info.Model is null)
        {
            return SimError.ModelNotFound(info.ModelName ?? "");
        }

        return problem ?? (info.MessagesStart < 0 ? SimError.Missing("messages") : null);
    }

    /// <summary>The state of one <see cref="Read"/> while the body's properties go by.</summary>
    private struct RequestReader(SimulatorState state) : IJsonPropertyReader
    {
        public ChatRequestInfo Info = new() { MessagesStart = -1, Choices = 1 };
        public bool ModelSeen;
        public long? MaxTokens;
        public long? MaxCompletionTokens;

        public SimError? ReadProperty(ref Utf8JsonReader reader)
        {
            var field = reader.ValueTextEquals("model"u8) ? 1
                : reader.ValueTextEquals("messages"u8) ? 2
                : reader.ValueTextEquals("stream"u8) ? 3
                : reader.ValueTextEquals("stream_options"u8) ? 4
                : reader.ValueTextEquals("max_tokens"u8) ? 5
                : reader.ValueTextEquals("max_completion_tokens"u8) ? 6
                : reader.ValueTextEquals("n"u8) ? 7
                : 0;
            reader.Read();
            SimError? error = null;
            switch (field)
            {
                case 1:
                    ModelSeen = true;
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        error = SimError.WrongType("model", "a string");
                        reader.Skip();
                    }
                    else
                    {
                        Info.Model = state.Find(ref reader);
                        Info.ModelName = Info.Model?.Name ?? reader.GetString();
                    }

                    break;
                case 2:
                    error = ReadMessages(ref reader, ref Info);
                    break;
                case 3:
                    error = ReadBool(ref reader, "stream", out Info.Stream);
                    break;
                case 4:
                    error = ReadStreamOptions(ref reader, ref Info);
                    break;
                case 5:
                    error = ReadInteger(ref reader, "max_tokens", 0, long.MaxValue, out MaxTokens);
                    break;
                case 6:
                    error = ReadInteger(ref reader, "max_completion_tokens", 0, long.MaxValue, out MaxCompletionTokens);
                    break;
                case 7:
                    error = ReadInteger(ref reader, "n", 1, 128, out var n);
                    Info.Choices = (int)(n ?? 1);
                    break;
                default:
                    reader.Skip();
                    break;
            }

            return error;
        }
    }

    private static SimError? ReadMessages(ref Utf8JsonReader reader, ref ChatRequestInfo info)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return SimError.WrongType("messages", "an array of message objects");
        }

        var start = (int)reader.TokenStartIndex;
        long promptTokens = 0;
        var count = 0;
        SimError? error = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                // Keep walking so the reader ends on the array's close.
                error ??= SimError.WrongType($"messages[{count}]", "an object");
                reader.Skip();
                count++;
                continue;
            }

            promptTokens += PromptTokenEstimate.Message(ref reader);
            count++;
        }

        if (error is not null)
        {
            return error;
        }

        if (count == 0)
        {
            return SimError.Invalid("Invalid 'messages': empty array. Expected an array with minimum length 1.", "messages", "empty_array");
        }

        info.MessagesStart = start;
        info.MessagesLength = (int)reader.BytesConsumed - start;
        info.PromptTokens = promptTokens;
        return null;
    }

    private static SimError? ReadStreamOptions(ref Utf8JsonReader reader, ref ChatRequestInfo info)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return SimError.WrongType("stream_options", "an object");
        }

        SimError? error = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isIncludeUsage = reader.ValueTextEquals("include_usage"u8);
            reader.Read();
            if (isIncludeUsage)
            {
                error ??= ReadBool(ref reader, "stream_options.include_usage", out info.IncludeUsage);
            }
            else
            {
                reader.Skip();
            }
        }

        return error;
    }

    internal static SimError? ReadBool(ref Utf8JsonReader reader, string name, out bool value)
    {
        value = reader.TokenType == JsonTokenType.True;
        if (reader.TokenType is JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null)
        {
            return null;
        }

        reader.Skip();
        return SimError.WrongType(name, "a boolean");
    }

    internal static SimError? ReadInteger(ref Utf8JsonReader reader, string name, long min, long max, out long? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var number))
        {
            reader.Skip();
            return SimError.WrongType(name, "an integer");
        }

        if (number < min || number > max)
        {
            return SimError.Invalid($"Invalid '{name}': must be between {min} and {max}, got {number}.", name, "invalid_value");
        }

        value = number;
        return null;
    }
}
