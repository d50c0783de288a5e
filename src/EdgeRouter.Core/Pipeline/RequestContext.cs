using EdgeRouter.Configuration;
using EdgeRouter.Pipeline.Routing;
using EdgeRouter.Protocol;
using Microsoft.AspNetCore.Http;

namespace EdgeRouter.Pipeline;

/// <summary>
/// Everything a stage may read about one request, and the places a stage may write to: the decision trace and
/// completion observers. One instance per request; not shared between threads.
/// </summary>
public sealed class RequestContext
{
    private List<Func<CompletedExchange, ValueTask>>? _completionObservers;
    private List<KeyValuePair<string, string>>? _responseHeaders;
    private RoutingState? _routing;
    private List<(string Encoder, string Text, float[] Vector)>? _embeddings;
    private TaskCompletionSource<TimeSpan>? _responseDeferred;

    /// <summary>Creates the context for one request.</summary>
    public RequestContext(string requestId, string routeName, ChatRequest request, IHeaderDictionary headers)
    {
        RequestId = requestId;
        RouteName = routeName;
        Request = request;
        Headers = headers;
    }

    /// <summary>The request id echoed in <c>x-request-id</c>.</summary>
    public string RequestId { get; }

    /// <summary>The route the request's <c>model</c> selected (a route name or a concrete model id).</summary>
    public string RouteName { get; }

    /// <summary>The parsed request, with the client's exact bytes.</summary>
    public ChatRequest Request { get; }

    /// <summary>The client's request headers.</summary>
    public IHeaderDictionary Headers { get; }

    /// <summary>The tenant the request belongs to (from <c>x-edgerouter-tenant</c>, else <c>default</c>); caches never cross tenants.</summary>
    public string Tenant { get; init; } = DefaultTenant;

    /// <summary>The route's candidate models for routers, weakest first (empty when the route lists none).</summary>
    public IReadOnlyList<ModelTarget> RouteModels { get; init; } = [];

    /// <summary>What the routers said and what dispatch did; created on first use.</summary>
    public RoutingState Routing => _routing ??= new RoutingState(RouteModels);

    /// <summary>True once a router or strategy has used <see cref="Routing"/>.</summary>
    public bool HasRouting => _routing is not null;

    /// <summary>
    /// The vector of <paramref name="text"/> from <paramref name="encoder"/>, computed once per request: the cache and
    /// the routers embed the same last user message, and an encode is most of the smart path's time.
    /// </summary>
    public float[] Embed(ITextEncoder encoder, string text)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(text);
        if (_embeddings is not null)
        {
            foreach (var (name, seen, vector) in _embeddings)
            {
                if (name == encoder.Name && seen == text)
                {
                    return vector;
                }
            }
        }

        var embedding = new float[encoder.Dimensions];
        encoder.Encode(text, embedding);
        (_embeddings ??= new(1)).Add((encoder.Name, text, embedding));
        return embedding;
    }

    /// <summary>The tenant of requests that name none.</summary>
    public const string DefaultTenant = "default";

    /// <summary>Headers stages want on the response (e.g. <c>x-edgerouter-cache: miss</c>), added whatever answers.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ResponseHeaders => (IReadOnlyList<KeyValuePair<string, string>>?)_responseHeaders ?? [];

    /// <summary>Adds a header to the response.</summary>
    public void AddResponseHeader(string name, string value) => (_responseHeaders ??= []).Add(new(name, value));

    // --- Deferred responses (dispatch strategies that verify before answering) ---

    /// <summary>
    /// Called by a stage that will end the pipeline with <see cref="StageOutcome.Respond"/> only after a long wait
    /// (a cascade or a speculative race verifying answers). For a streaming client the endpoint may then send the
    /// response headers and an SSE comment every <paramref name="keepAliveInterval"/> while the stage works, so
    /// proxies do not time the connection out. A stage that calls this must respond, never decide. Thread-safe.
    /// </summary>
    public void DeferResponse(TimeSpan keepAliveInterval) =>
        LazyInitializer.EnsureInitialized(ref _responseDeferred, NewDeferral).TrySetResult(keepAliveInterval);

    /// <summary>Completes with the keep-alive interval once a stage has called <see cref="DeferResponse"/>.</summary>
    public Task<TimeSpan> ResponseDeferred => LazyInitializer.EnsureInitialized(ref _responseDeferred, NewDeferral).Task;

    private static TaskCompletionSource<TimeSpan> NewDeferral() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // --- end of deferred responses ---

    /// <summary>Where the request's time went: upstream waits versus the gateway itself.</summary>
    public ExchangeTiming Timing { get; init; } = new();

    /// <summary>What each stage did and why; written to the decision log.</summary>
    public DecisionTrace Trace { get; } = new();

    /// <summary>True when some observer needs the response body (see <see cref="OnCompleted"/>).</summary>
    public bool CaptureResponse => _completionObservers is not null;

    /// <summary>Observers to run after the response has been sent in full.</summary>
    internal IReadOnlyList<Func<CompletedExchange, ValueTask>>? CompletionObservers => _completionObservers;

    /// <summary>
    /// Registers <paramref name="observer"/> to run once the exchange has finished, with the response the client
    /// received (a cache writer uses this). Registering makes the relay record the response body.
    /// </summary>
    public void OnCompleted(Func<CompletedExchange, ValueTask> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        (_completionObservers ??= []).Add(observer);
    }

    /// <summary>Runs the registered observers; an observer's failure does not stop the others.</summary>
    public async ValueTask NotifyCompletedAsync(CompletedExchange exchange)
    {
        if (_completionObservers is null)
        {
            return;
        }

        List<Exception>? failures = null;
        foreach (var observer in _completionObservers)
        {
            try
            {
                await observer(exchange).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // an observer's bug must not fail the request that already completed
            catch (Exception ex)
#pragma warning restore CA1031
            {
                (failures ??= []).Add(ex);
            }
        }

        if (failures is not null)
        {
            throw new AggregateException("A completion observer failed.", failures);
        }
    }
}
