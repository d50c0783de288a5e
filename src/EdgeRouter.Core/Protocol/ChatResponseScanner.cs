using System.Text.Json;

namespace EdgeRouter.Protocol;

/// <summary>What the gateway needs from an upstream chat completion (or one stream chunk).</summary>
public struct ChatResponseInfo
{
    /// <summary>The top-level <c>model</c> string value, quotes included.</summary>
    public JsonRange Model;

    /// <summary>The whole <c>usage</c> member with one adjoining comma, for removing it.</summary>
    public JsonRange UsageMember;

    /// <summary>True when <c>usage</c> is present and not null.</summary>
    public bool HasUsage;

    /// <summary>Input tokens from <c>usage.prompt_tokens</c>.</summary>
    public long PromptTokens;

    /// <summary>Output tokens from <c>usage.completion_tokens</c>.</summary>
    public long CompletionTokens;

    /// <summary>True when <c>choices</c> is present and empty (the usage-only final chunk of a stream).</summary>
    public bool ChoicesEmpty;

    /// <summary>True when the document carries a top-level <c>error</c>.</summary>
    public bool HasError;
}

/// <summary>Reads the top level of a chat completion or chunk without building a DOM.</summary>
public static class ChatResponseScanner
{
    /// <summary>Scans <paramref name="json"/>; returns false when it is not a JSON object.</summary>
    public static bool TryScan(ReadOnlySpan<byte> json, out ChatResponseInfo info)
    {
        info = new ChatResponseInfo { Model = JsonRange.None, UsageMember = JsonRange.None };
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var previousValueEnd = -1;
            var pendingUsageStart = -1; // the usage member was first: its removal extends to the next name
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var nameStart = (int)reader.TokenStartIndex;
                if (pendingUsageStart >= 0)
                {
                    info.UsageMember = new JsonRange(pendingUsageStart, nameStart - pendingUsageStart);
                    pendingUsageStart = -1;
                }

                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        info.Model = new JsonRange((int)reader.TokenStartIndex, (int)(reader.BytesConsumed - reader.TokenStartIndex));
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        info.HasUsage = true;
                        ReadUsage(ref reader, ref info);
                    }
                    else
                    {
                        reader.Skip();
                    }

                    var valueEnd = (int)reader.BytesConsumed;
                    if (previousValueEnd >= 0)
                    {
                        info.UsageMember = new JsonRange(previousValueEnd, valueEnd - previousValueEnd);
                    }
                    else
                    {
                        pendingUsageStart = nameStart;
                        info.UsageMember = new JsonRange(nameStart, valueEnd - nameStart);
                    }
                }
                else if (reader.ValueTextEquals("choices"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        reader.Read();
                        info.ChoicesEmpty = reader.TokenType == JsonTokenType.EndArray;
                        if (!info.ChoicesEmpty)
                        {
                            reader.Skip();
                            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                            {
                                reader.Skip();
                            }
                        }
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else
                {
                    info.HasError |= reader.ValueTextEquals("error"u8);
                    reader.Read();
                    reader.Skip();
                }

                previousValueEnd = (int)reader.BytesConsumed;
            }

            return reader.TokenType == JsonTokenType.EndObject;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void ReadUsage(ref Utf8JsonReader reader, ref ChatResponseInfo info)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var prompt))
                {
                    info.PromptTokens = prompt;
                }
            }
            else if (reader.ValueTextEquals("completion_tokens"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var completion))
                {
                    info.CompletionTokens = completion;
                }
            }
            else
            {
                reader.Read();
            }

            reader.Skip();
        }
    }
}
