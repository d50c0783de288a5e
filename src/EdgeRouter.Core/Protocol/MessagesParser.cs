using System.Text.Json;

namespace EdgeRouter.Protocol;

/// <summary>Validates the <c>messages</c> array of a chat request: roles, content strings and content parts.</summary>
internal static class MessagesParser
{
    private const string Roles = "'system', 'developer', 'user', 'assistant', 'tool' and 'function'";

    public static RequestError? Read(ref Utf8JsonReader reader, ChatRequest request)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return RequestError.InvalidType("messages", "an array", ChatRequestParser.Describe(reader.TokenType));
        }

        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var error = ReadMessage(ref reader, request, index);
            if (error is not null)
            {
                return error;
            }

            index++;
        }

        if (index == 0)
        {
            return new RequestError(400,
                "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
                "messages", "empty_array");
        }

        request.MessageCount = index;
        return null;
    }

    private static RequestError? ReadMessage(ref Utf8JsonReader reader, ChatRequest request, int index)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return RequestError.InvalidType($"messages[{index}]", "an object", ChatRequestParser.Describe(reader.TokenType));
        }

        Role? role = null;
        var content = JsonRange.None;
        var contentIsNull = false;
        var hasToolCalls = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("role"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return RequestError.InvalidType($"messages[{index}].role", "a string", ChatRequestParser.Describe(reader.TokenType));
                }

                role = ParseRole(ref reader);
                if (role is null)
                {
                    return RequestError.InvalidValue($"messages[{index}].role",
                        $"'{reader.GetString()}'. Supported values are: {Roles}.");
                }
            }
            else if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                var error = ReadContent(ref reader, request, index);
                if (error is not null)
                {
                    return error;
                }

                contentIsNull = reader.TokenType == JsonTokenType.Null;
                content = new JsonRange(start, (int)reader.BytesConsumed - start);
            }
            else if (reader.ValueTextEquals("tool_calls"u8) || reader.ValueTextEquals("function_call"u8))
            {
                var isToolCalls = reader.ValueTextEquals("tool_calls"u8);
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                var expected = isToolCalls ? JsonTokenType.StartArray : JsonTokenType.StartObject;
                if (reader.TokenType != expected)
                {
                    return RequestError.InvalidType($"messages[{index}].{(isToolCalls ? "tool_calls" : "function_call")}",
                        isToolCalls ? "an array" : "an object", ChatRequestParser.Describe(reader.TokenType));
                }

                reader.Skip();
                hasToolCalls = true;
            }
            else if (reader.ValueTextEquals("name"u8) || reader.ValueTextEquals("tool_call_id"u8))
            {
                var field = reader.GetString();
                reader.Read();
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
                {
                    return RequestError.InvalidType($"messages[{index}].{field}", "a string", ChatRequestParser.Describe(reader.TokenType));
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (role is null)
        {
            return RequestError.Missing($"messages[{index}].role");
        }

        // Only assistant messages may omit content (when they carry tool calls).
        if ((!content.IsPresent || contentIsNull) && !(role == Role.Assistant && (hasToolCalls || content.IsPresent)))
        {
            return RequestError.Missing($"messages[{index}].content");
        }

        if (role == Role.User)
        {
            request.LastUserContent = content;
        }

        return null;
    }

    private static RequestError? ReadContent(ref Utf8JsonReader reader, ChatRequest request, int index)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String or JsonTokenType.Null:
                return null;
            case JsonTokenType.StartArray:
                break;
            default:
                return RequestError.InvalidType($"messages[{index}].content", "a string or an array of content parts",
                    ChatRequestParser.Describe(reader.TokenType));
        }

        var part = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var error = ReadPart(ref reader, request, $"messages[{index}].content[{part}]");
            if (error is not null)
            {
                return error;
            }

            part++;
        }

        return null;
    }

    private static RequestError? ReadPart(ref Utf8JsonReader reader, ChatRequest request, string path)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return RequestError.InvalidType(path, "an object", ChatRequestParser.Describe(reader.TokenType));
        }

        string? type = null;
        var textIsString = false;
        var imageUrlIsObject = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return RequestError.InvalidType($"{path}.type", "a string", ChatRequestParser.Describe(reader.TokenType));
                }

                type = reader.GetString();
            }
            else if (reader.ValueTextEquals("text"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return RequestError.InvalidType($"{path}.text", "a string", ChatRequestParser.Describe(reader.TokenType));
                }

                textIsString = true;
            }
            else if (reader.ValueTextEquals("image_url"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return RequestError.InvalidType($"{path}.image_url", "an object", ChatRequestParser.Describe(reader.TokenType));
                }

                reader.Skip();
                imageUrlIsObject = true;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        switch (type)
        {
            case null:
                return RequestError.Missing($"{path}.type");
            case "text" when !textIsString:
                return RequestError.Missing($"{path}.text");
            case "image_url" when !imageUrlIsObject:
                return RequestError.Missing($"{path}.image_url");
            case "image_url":
                request.HasImages = true;
                return null;
            default:
                return null;
        }
    }

    private static Role? ParseRole(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("user"u8))
        {
            return Role.User;
        }

        if (reader.ValueTextEquals("assistant"u8))
        {
            return Role.Assistant;
        }

        if (reader.ValueTextEquals("system"u8) || reader.ValueTextEquals("developer"u8))
        {
            return Role.System;
        }

        if (reader.ValueTextEquals("tool"u8) || reader.ValueTextEquals("function"u8))
        {
            return Role.Tool;
        }

        return null;
    }

    private enum Role
    {
        System,
        User,
        Assistant,
        Tool,
    }
}
