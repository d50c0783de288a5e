using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using EdgeRouter.Protocol;

namespace EdgeRouter.Cache;

/// <summary>
/// What identifies a chat request for the cache. <see cref="ContextHash"/> covers everything that shapes the answer
/// except the last user message: the earlier messages byte for byte and every answer-shaping parameter (sampling,
/// limits, tools, response format, vendor extensions), so a semantic hit can only come from the same conversation
/// and settings. <see cref="ExactHash"/> adds the last user message, normalised (case, spacing). Only the last
/// user message's text is embedded for semantic lookup.
/// </summary>
/// <param name="ContextHash">Hash of everything but the last user message.</param>
/// <param name="ExactHash">Hash of the whole normalised request.</param>
/// <param name="LastUserText">The last user message's text, or null when the conversation does not end with one.</param>
/// <param name="SemanticAllowed">True when the last user message is plain text, so its embedding stands for it.</param>
/// <param name="BypassRequested">True when the body's <c>metadata.cache</c> is <c>false</c>.</param>
public readonly record struct RequestFingerprint(ulong ContextHash, UInt128 ExactHash, string? LastUserText, bool SemanticAllowed, bool BypassRequested = false)
{
    // Fields that change how the answer is delivered or billed, not what it says.
    private static readonly string[] Ignored = ["model", "messages", "stream", "stream_options", "user", "metadata", "store", "service_tier"];

    /// <summary>Fingerprints <paramref name="request"/> (whose body the parser already validated).</summary>
    public static RequestFingerprint Of(ChatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = request.Body.Span;
        var reader = new Utf8JsonReader(body);
        reader.Read();
        var parameters = new List<(string Name, int Start, int Length)>();
        var messages = JsonRange.None;
        var bypass = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            if (name == "metadata" && reader.TokenType == JsonTokenType.StartObject)
            {
                bypass = CacheDisabledIn(ref reader);
            }

            reader.Skip();
            var range = (name, start, (int)reader.BytesConsumed - start);
            if (name == "messages")
            {
                messages = new JsonRange(start, range.Item3);
            }
            else if (Array.IndexOf(Ignored, name) < 0)
            {
                parameters.Add(range);
            }
        }

        var context = new XxHash3();
        parameters.Sort((x, y) => string.CompareOrdinal(x.Name, y.Name));
        foreach (var (name, start, length) in parameters)
        {
            context.Append(Encoding.UTF8.GetBytes(name));
            context.Append(body.Slice(start, length));
        }

        var (lastUser, semanticAllowed) = HashMessages(messages.Slice(body), context);
        var contextHash = context.GetCurrentHashAsUInt64();
        var exact = new XxHash128();
        Span<byte> contextBytes = stackalloc byte[8];
        BitConverter.TryWriteBytes(contextBytes, contextHash);
        exact.Append(contextBytes);
        exact.Append(Encoding.UTF8.GetBytes(Normalise(lastUser ?? "")));
        return new RequestFingerprint(contextHash, exact.GetCurrentHashAsUInt128(), lastUser, semanticAllowed && lastUser is not null, bypass);
    }

    /// <summary>Reads a metadata object (leaving the reader on its end) and says whether it holds <c>"cache": false</c>.</summary>
    private static bool CacheDisabledIn(ref Utf8JsonReader reader)
    {
        var disabled = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isCache = reader.ValueTextEquals("cache"u8);
            reader.Read();
            disabled |= isCache && (reader.TokenType == JsonTokenType.False
                || (reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("false"u8)));
            reader.Skip();
        }

        return disabled;
    }

    /// <summary>
    /// Adds every message but a final user message to <paramref name="context"/> (raw bytes) and returns that final
    /// message's text; semantic lookup is allowed only when it is plain text (no images, audio or files).
    /// </summary>
    private static (string? LastUser, bool SemanticAllowed) HashMessages(ReadOnlySpan<byte> messages, XxHash3 context)
    {
        var reader = new Utf8JsonReader(messages);
        reader.Read();
        var spans = new List<(int Start, int Length)>();
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            spans.Add((start, (int)reader.BytesConsumed - start));
        }

        var last = spans[^1];
        var (role, text, plain) = ReadMessage(messages.Slice(last.Start, last.Length));
        var lastIsUser = role == "user";
        for (var i = 0; i < spans.Count - (lastIsUser ? 1 : 0); i++)
        {
            context.Append(messages.Slice(spans[i].Start, spans[i].Length));
        }

        if (!lastIsUser)
        {
            return (null, false);
        }

        if (!plain)
        {
            // The non-text parts are part of the question: fold them into the context so only an identical request matches.
            context.Append(messages.Slice(last.Start, last.Length));
        }

        return (text, plain);
    }

    private static (string? Role, string Text, bool Plain) ReadMessage(ReadOnlySpan<byte> message)
    {
        var reader = new Utf8JsonReader(message);
        reader.Read();
        string? role = null;
        var text = new StringBuilder();
        var plain = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isRole = reader.ValueTextEquals("role"u8);
            var isContent = reader.ValueTextEquals("content"u8);
            reader.Read();
            if (isRole)
            {
                role = reader.GetString();
            }
            else if (isContent)
            {
                text.Append(MessageContent.ReadText(ref reader, out var textOnly));
                plain &= textOnly;
            }
            else
            {
                reader.Skip();
            }
        }

        return (role, text.ToString(), plain);
    }

    /// <summary>Lower case, runs of white space as one space, trimmed: "Hello  World " and "hello world" hash alike.</summary>
    internal static string Normalise(string text)
    {
        var result = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text.AsSpan().Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }

            if (space)
            {
                result.Append(' ');
                space = false;
            }

            result.Append(char.ToLowerInvariant(c));
        }

        return result.ToString();
    }
}
