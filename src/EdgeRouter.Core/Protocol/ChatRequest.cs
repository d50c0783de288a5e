namespace EdgeRouter.Protocol;

/// <summary>
/// A validated <c>/v1/chat/completions</c> request: the client's exact bytes plus the positions and values the
/// gateway needs. Fields the gateway does not know stay in <see cref="Body"/> untouched and are forwarded verbatim.
/// Immutable.
/// </summary>
public sealed class ChatRequest
{
    internal ChatRequest(ReadOnlyMemory<byte> body)
    {
        Body = body;
    }

    /// <summary>The request body exactly as the client sent it.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The requested route or model.</summary>
    public string Model { get; internal set; } = "";

    /// <summary>Range of the <c>model</c> string value (quotes included).</summary>
    public JsonRange ModelValue { get; internal set; } = JsonRange.None;

    /// <summary>True when the client asked for server-sent events.</summary>
    public bool Stream { get; internal set; }

    /// <summary>True when the client asked for a usage chunk at the end of the stream.</summary>
    public bool IncludeUsage { get; internal set; }

    /// <summary>Range of the <c>stream_options</c> value, or none.</summary>
    public JsonRange StreamOptionsValue { get; internal set; } = JsonRange.None;

    /// <summary>Number of properties inside <c>stream_options</c> (0 when absent or null).</summary>
    public int StreamOptionsPropertyCount { get; internal set; }

    /// <summary>Range of <c>stream_options.include_usage</c>'s value, or none.</summary>
    public JsonRange IncludeUsageValue { get; internal set; } = JsonRange.None;

    /// <summary>Offset of the closing brace of the top-level object.</summary>
    public int ObjectEnd { get; internal set; }

    /// <summary>Number of messages.</summary>
    public int MessageCount { get; internal set; }

    /// <summary>Range of the last user message's <c>content</c> value (a string or an array of parts).</summary>
    public JsonRange LastUserContent { get; internal set; } = JsonRange.None;

    /// <summary>True when the request offers tools or functions.</summary>
    public bool HasTools { get; internal set; }

    /// <summary>True when a message contains an image part.</summary>
    public bool HasImages { get; internal set; }

    /// <summary><c>response_format.type</c> (<c>text</c>, <c>json_object</c>, <c>json_schema</c>), or null.</summary>
    public string? ResponseFormat { get; internal set; }

    /// <summary>Number of choices requested (<c>n</c>, default 1).</summary>
    public int Choices { get; internal set; } = 1;

    /// <summary><c>temperature</c>, when given.</summary>
    public double? Temperature { get; internal set; }

    /// <summary><c>max_completion_tokens</c>, else <c>max_tokens</c>, when given.</summary>
    public long? MaxTokens { get; internal set; }
}
