using EdgeRouter.Dispatch.Providers;
using EdgeRouter.Protocol;
using Microsoft.AspNetCore.Http;

namespace EdgeRouter.Dispatch.Strategies;

/// <summary>What <see cref="UpstreamCompleter"/> sends: a chat request and where its providers are. Immutable.</summary>
public sealed class CompletionRequest
{
    /// <summary>The request id, sent upstream as <c>x-request-id</c>.</summary>
    public required string RequestId { get; init; }

    /// <summary>The chat request (the client's, or one a verifier built, e.g. a judge prompt).</summary>
    public required ChatRequest Chat { get; init; }

    /// <summary>The providers of the snapshot serving the request.</summary>
    public required ProviderPool Providers { get; init; }

    /// <summary>The client's headers, for providers that forward some of them; null for calls the gateway makes on its own behalf.</summary>
    public IHeaderDictionary? ClientHeaders { get; init; }
}
