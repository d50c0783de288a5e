using System.Text.Json;

namespace EdgeRouter.Protocol;

/// <summary>
/// Estimates the prompt tokens of a chat request when no upstream reported them (a buffered call cancelled before
/// its answer, which is where usage arrives). The rule: per message, 3 tokens of framing plus one token per 4 bytes
/// of UTF-8 text (string content and <c>text</c> parts, rounded up). Four bytes per token is the usual figure for
/// English with BPE tokenizers such as OpenAI's; 3 tokens per message is OpenAI's documented per-message overhead.
/// The simulator reports prompt tokens with this same rule, so its usage and the gateway's estimates agree.
/// </summary>
public static class PromptTokenEstimate
{
    /// <summary>The estimated prompt tokens of <paramref name="body"/> (a chat completion request); 0 when it has no messages.</summary>
    public static long Estimate(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return 0;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isMessages = reader.ValueTextEquals("messages"u8);
                reader.Read();
                if (isMessages && reader.TokenType == JsonTokenType.StartArray)
                {
                    return Messages(ref reader);
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // The gateway only estimates requests it parsed; a broken body simply has no estimate.
        }

        return 0;
    }

    private static long Messages(ref Utf8JsonReader reader)
    {
        long tokens = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            tokens += Message(ref reader);
        }

        return tokens;
    }

    /// <summary>
    /// The estimated tokens of the message object <paramref name="reader"/> is positioned on (its start); leaves the
    /// reader on the object's end.
    /// </summary>
    public static long Message(ref Utf8JsonReader reader)
    {
        long textBytes = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isContent = reader.ValueTextEquals("content"u8);
            reader.Read();
            if (isContent && reader.TokenType == JsonTokenType.String)
            {
                textBytes += TextLength(ref reader);
            }
            else if (isContent && reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }

                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var isText = reader.ValueTextEquals("text"u8);
                        reader.Read();
                        if (isText && reader.TokenType == JsonTokenType.String)
                        {
                            textBytes += TextLength(ref reader);
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return 3 + ((textBytes + 3) / 4);
    }

    private static int TextLength(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan.Length;
        }

        Span<byte> small = stackalloc byte[256];
        var buffer = reader.ValueSpan.Length <= small.Length ? small : new byte[reader.ValueSpan.Length];
        return reader.CopyString(buffer);
    }
}
