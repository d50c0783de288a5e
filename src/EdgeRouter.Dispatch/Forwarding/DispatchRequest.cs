using EdgeRouter.Pipeline;
using EdgeRouter.Protocol;
using Microsoft.AspNetCore.Http;

namespace EdgeRouter.Dispatch.Forwarding;

/// <summary>Which upstream API a request is for.</summary>
public enum UpstreamApi : byte
{
    /// <summary><c>POST /chat/completions</c>.</summary>
    ChatCompletions,

    /// <summary><c>POST /embeddings</c>.</summary>
    Embeddings,
}

/// <summary>One client request to forward: its bytes, what to rewrite, and where to account its time.</summary>
public sealed class DispatchRequest
{
    /// <summary>The request id, sent upstream as <c>x-request-id</c>.</summary>
    public required string RequestId { get; init; }

    /// <summary>The upstream API.</summary>
    public required UpstreamApi Api { get; init; }

    /// <summary>The client's body.</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>The <c>model</c> value in <see cref="Body"/>, replaced by the upstream model name.</summary>
    public required JsonRange ModelValue { get; init; }

    /// <summary>The parsed chat request, for chat completions.</summary>
    public ChatRequest? Chat { get; init; }

    /// <summary>True when the client asked for server-sent events.</summary>
    public bool Stream => Chat?.Stream ?? false;

    /// <summary>The client's request headers, for providers that forward some of them.</summary>
    public IHeaderDictionary? ClientHeaders { get; init; }

    /// <summary>Headers the pipeline's stages asked for, added to the response when it starts.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ExtraHeaders { get; init; } = [];

    /// <summary>Timing of the exchange.</summary>
    public required ExchangeTiming Timing { get; init; }

    /// <summary>True when the response must be recorded for completion observers.</summary>
    public bool CaptureResponse { get; init; }
}
