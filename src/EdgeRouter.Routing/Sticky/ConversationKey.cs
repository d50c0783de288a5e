using System.IO.Hashing;
using System.Text.Json;
using EdgeRouter.Pipeline;

namespace EdgeRouter.Routing.Sticky;

/// <summary>
/// Identifies a conversation: the client's conversation header when sent, else a hash of the conversation's opening
/// (every message up to and including the first user message), which stays the same as the conversation grows.
/// </summary>
public static class ConversationKey
{
    /// <summary>The key of <paramref name="context"/>'s conversation, scoped to its tenant; null when it has no user message.</summary>
    public static string? Of(RequestContext context, string header)
    {
        ArgumentNullException.ThrowIfNull(context);
        var values = context.Headers[header];
        if (values.Count == 1 && !string.IsNullOrEmpty(values[0]))
        {
            return $"{context.Tenant}\u0001h:{values[0]}";
        }

        return OpeningHash(context.Request.Body.Span) is { } hash ? $"{context.Tenant}\u0001m:{hash:x16}" : null;
    }

    /// <summary>Hash of the messages up to and including the first user message (raw bytes), or null when there is none.</summary>
    public static ulong? OpeningHash(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMessages = reader.ValueTextEquals("messages"u8);
            reader.Read();
            if (!isMessages || reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }

            var hash = new XxHash3();
            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                var start = (int)reader.TokenStartIndex;
                var probe = reader;
                var isUser = IsUserMessage(ref probe);
                reader.Skip();
                hash.Append(body[start..(int)reader.BytesConsumed]);
                if (isUser)
                {
                    return hash.GetCurrentHashAsUInt64();
                }
            }

            return null;
        }

        return null;
    }

    private static bool IsUserMessage(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isRole = reader.ValueTextEquals("role"u8);
            reader.Read();
            if (isRole)
            {
                return reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("user"u8);
            }

            reader.Skip();
        }

        return false;
    }
}
