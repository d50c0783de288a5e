using System.Buffers;
using System.Text;
using System.Text.Json;

namespace EdgeRouter.Protocol;

/// <summary>
/// Converts between the two shapes of a chat answer: one <c>chat.completion</c> JSON object and the
/// <c>chat.completion.chunk</c> events of a stream. Used when the gateway answers from something it recorded
/// (a cache entry, a verified cascade answer) in the other shape than the client asked for. Not a hot path.
/// </summary>
public static class CompletionConverter
{
    /// <summary>
    /// Splits a completion into stream chunks: per choice a role chunk, a content chunk, a tool-call chunk and a
    /// finish chunk; then, when <paramref name="includeUsage"/>, a usage-only chunk. Returns the JSON payloads
    /// (no SSE framing, no <c>[DONE]</c>); null when <paramref name="completion"/> is not a completion object.
    /// </summary>
    public static List<byte[]>? ToEvents(ReadOnlySpan<byte> completion, bool includeUsage)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(completion.ToArray());
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("choices", out var choices)
                || choices.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var events = new List<byte[]>();
            foreach (var choice in choices.EnumerateArray())
            {
                var index = choice.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number ? i.GetInt32() : 0;
                var message = choice.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
                events.Add(Chunk(root, index, delta =>
                {
                    delta.WriteString("role"u8, "assistant");
                    delta.WriteString("content"u8, "");
                }, null));
                if (message.ValueKind == JsonValueKind.Object)
                {
                    foreach (var field in (ReadOnlySpan<string>)["content", "refusal"])
                    {
                        if (message.TryGetProperty(field, out var text) && text.ValueKind == JsonValueKind.String && text.GetString()!.Length > 0)
                        {
                            events.Add(Chunk(root, index, delta =>
                            {
                                delta.WritePropertyName(field);
                                text.WriteTo(delta);
                            }, null));
                        }
                    }

                    if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array && calls.GetArrayLength() > 0)
                    {
                        events.Add(Chunk(root, index, delta =>
                        {
                            delta.WriteStartArray("tool_calls"u8);
                            var k = 0;
                            foreach (var call in calls.EnumerateArray())
                            {
                                delta.WriteStartObject();
                                delta.WriteNumber("index"u8, k++);
                                foreach (var property in call.EnumerateObject())
                                {
                                    property.WriteTo(delta);
                                }

                                delta.WriteEndObject();
                            }

                            delta.WriteEndArray();
                        }, null));
                    }
                }

                var finish = choice.TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : "stop";
                events.Add(Chunk(root, index, _ => { }, finish));
            }

            if (includeUsage && root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                events.Add(Write(writer =>
                {
                    WriteHeader(writer, root);
                    writer.WriteStartArray("choices"u8);
                    writer.WriteEndArray();
                    writer.WritePropertyName("usage"u8);
                    usage.WriteTo(writer);
                }));
            }

            return events;
        }
    }

    /// <summary>
    /// Assembles stream chunks into one completion: content, refusal and tool-call arguments are concatenated per
    /// choice, the last finish reason and any usage are kept. Returns null when no chunk could be read.
    /// </summary>
    public static byte[]? ToCompletion(IReadOnlyList<ReadOnlyMemory<byte>> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var choices = new SortedDictionary<int, ChoiceBuilder>();
        string? id = null, model = null, fingerprint = null;
        long created = 0;
        byte[]? usage = null;
        var readAny = false;
        foreach (var payload in events)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(payload);
            }
            catch (JsonException)
            {
                continue;
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                readAny = true;
                id ??= StringOf(root, "id");
                model ??= StringOf(root, "model");
                fingerprint ??= StringOf(root, "system_fingerprint");
                if (created == 0 && root.TryGetProperty("created", out var c) && c.TryGetInt64(out var seconds))
                {
                    created = seconds;
                }

                if (root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object)
                {
                    usage = Encoding.UTF8.GetBytes(u.GetRawText());
                }

                if (root.TryGetProperty("choices", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    foreach (var choice in list.EnumerateArray())
                    {
                        var index = choice.TryGetProperty("index", out var i) && i.TryGetInt32(out var n) ? n : 0;
                        if (!choices.TryGetValue(index, out var builder))
                        {
                            choices[index] = builder = new ChoiceBuilder();
                        }

                        builder.Add(choice);
                    }
                }
            }
        }

        if (!readAny)
        {
            return null;
        }

        return Write(writer =>
        {
            writer.WriteString("id"u8, id ?? "chatcmpl-edgerouter");
            writer.WriteString("object"u8, "chat.completion");
            writer.WriteNumber("created"u8, created);
            writer.WriteString("model"u8, model ?? "");
            writer.WriteStartArray("choices"u8);
            foreach (var (index, choice) in choices)
            {
                choice.WriteTo(writer, index);
            }

            writer.WriteEndArray();
            if (usage is not null)
            {
                writer.WritePropertyName("usage"u8);
                writer.WriteRawValue(usage, skipInputValidation: true);
            }

            if (fingerprint is not null)
            {
                writer.WriteString("system_fingerprint"u8, fingerprint);
            }
        });
    }

    private static string? StringOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[] Chunk(JsonElement completion, int index, Action<Utf8JsonWriter> writeDelta, string? finishReason) =>
        Write(writer =>
        {
            WriteHeader(writer, completion);
            writer.WriteStartArray("choices"u8);
            writer.WriteStartObject();
            writer.WriteNumber("index"u8, index);
            writer.WriteStartObject("delta"u8);
            writeDelta(writer);
            writer.WriteEndObject();
            writer.WriteNull("logprobs"u8);
            if (finishReason is null)
            {
                writer.WriteNull("finish_reason"u8);
            }
            else
            {
                writer.WriteString("finish_reason"u8, finishReason);
            }

            writer.WriteEndObject();
            writer.WriteEndArray();
        });

    private static void WriteHeader(Utf8JsonWriter writer, JsonElement completion)
    {
        writer.WriteString("id"u8, StringOf(completion, "id") ?? "chatcmpl-edgerouter");
        writer.WriteString("object"u8, "chat.completion.chunk");
        if (completion.TryGetProperty("created", out var created) && created.ValueKind == JsonValueKind.Number)
        {
            writer.WritePropertyName("created"u8);
            created.WriteTo(writer);
        }

        writer.WriteString("model"u8, StringOf(completion, "model") ?? "");
        if (StringOf(completion, "system_fingerprint") is { } fingerprint)
        {
            writer.WriteString("system_fingerprint"u8, fingerprint);
        }
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Accumulates one choice's deltas.</summary>
    private sealed class ChoiceBuilder
    {
        private readonly StringBuilder _content = new();
        private readonly StringBuilder _refusal = new();
        private readonly SortedDictionary<int, ToolCallBuilder> _toolCalls = [];
        private string _role = "assistant";
        private string? _finishReason;

        public void Add(JsonElement choice)
        {
            if (choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String)
            {
                _finishReason = finish.GetString();
            }

            if (!choice.TryGetProperty("delta", out var delta) || delta.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            if (StringOf(delta, "role") is { } role)
            {
                _role = role;
            }

            if (delta.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
            {
                _content.Append(content.GetString());
            }

            if (StringOf(delta, "refusal") is { } refusal)
            {
                _refusal.Append(refusal);
            }

            if (delta.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                foreach (var call in calls.EnumerateArray())
                {
                    var index = call.TryGetProperty("index", out var i) && i.TryGetInt32(out var n) ? n : _toolCalls.Count;
                    if (!_toolCalls.TryGetValue(index, out var builder))
                    {
                        _toolCalls[index] = builder = new ToolCallBuilder();
                    }

                    builder.Add(call);
                }
            }
        }

        public void WriteTo(Utf8JsonWriter writer, int index)
        {
            writer.WriteStartObject();
            writer.WriteNumber("index"u8, index);
            writer.WriteStartObject("message"u8);
            writer.WriteString("role"u8, _role);
            if (_content.Length > 0 || _toolCalls.Count == 0)
            {
                writer.WriteString("content"u8, _content.ToString());
            }
            else
            {
                writer.WriteNull("content"u8);
            }

            if (_refusal.Length > 0)
            {
                writer.WriteString("refusal"u8, _refusal.ToString());
            }

            if (_toolCalls.Count > 0)
            {
                writer.WriteStartArray("tool_calls"u8);
                foreach (var call in _toolCalls.Values)
                {
                    call.WriteTo(writer);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
            writer.WriteNull("logprobs"u8);
            writer.WriteString("finish_reason"u8, _finishReason ?? "stop");
            writer.WriteEndObject();
        }
    }

    /// <summary>Accumulates one tool call's deltas.</summary>
    private sealed class ToolCallBuilder
    {
        private readonly StringBuilder _arguments = new();
        private string? _id;
        private string _type = "function";
        private string? _name;

        public void Add(JsonElement call)
        {
            _id ??= StringOf(call, "id");
            _type = StringOf(call, "type") ?? _type;
            if (call.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object)
            {
                _name ??= StringOf(function, "name");
                _arguments.Append(StringOf(function, "arguments"));
            }
        }

        public void WriteTo(Utf8JsonWriter writer)
        {
            writer.WriteStartObject();
            writer.WriteString("id"u8, _id ?? "");
            writer.WriteString("type"u8, _type);
            writer.WriteStartObject("function"u8);
            writer.WriteString("name"u8, _name ?? "");
            writer.WriteString("arguments"u8, _arguments.ToString());
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
    }
}
