using EdgeRouter.Configuration;
using EdgeRouter.Diagnostics;
using EdgeRouter.Dispatch.Providers;
using EdgeRouter.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EdgeRouter.Dispatch.Forwarding;

/// <summary>
/// Forwards one request to an ordered list of candidate models: retries each with jittered backoff (honouring
/// <c>Retry-After</c> up to a cap) while nothing has reached the client, skips providers whose circuit is open, falls
/// back to the next candidate, and relays the answer byte for byte with <c>model</c> rewritten: whole for JSON,
/// event by event for streams. Stateless apart from shared metrics; thread-safe.
/// </summary>
public sealed partial class ChatDispatcher
{
    /// <summary>Largest upstream body the gateway buffers (non-streaming answers and error bodies).</summary>
    public const int MaxBufferedResponseBytes = 64 * 1024 * 1024;

    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly AttemptLoop _attempts;

    /// <summary>Creates a dispatcher.</summary>
    /// <param name="metrics">Where attempts, latencies and tokens are counted.</param>
    /// <param name="logger">Logger for failed attempts and circuit changes.</param>
    /// <param name="time">Clock for backoff delays.</param>
    /// <param name="random">Source of backoff jitter; <see cref="Random.Shared"/> when null.</param>
    public ChatDispatcher(GatewayMetrics metrics, ILogger logger, TimeProvider time, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        _metrics = metrics;
        _time = time;
        _attempts = new AttemptLoop(metrics, logger, time, random ?? Random.Shared);
    }

    /// <summary>
    /// Dispatches <paramref name="request"/> to <paramref name="candidates"/> in order and writes the answer to
    /// <paramref name="http"/>'s response. When the result is not committed the caller writes the error.
    /// </summary>
    public async Task<DispatchResult> DispatchAsync(
        DispatchRequest request, IReadOnlyList<ModelTarget> candidates, ProviderPool providers, HttpContext http,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(providers);
        ArgumentNullException.ThrowIfNull(http);
        var attempts = 0;
        AttemptResult last = default;
        ModelTarget? lastModel = null;
        TimeSpan? shortestRetryAfter = null;
        var sawOnlyBackpressure = true; // every failure was a 429 or an open circuit
        using var upstreamBody = new PooledBufferWriter(request.Body.Length + 64);
        foreach (var target in candidates)
        {
            var provider = providers[target.Provider];
            WriteUpstreamBody(request, target, provider.Config.StreamUsage, upstreamBody);
            lastModel = target;
            var attempt = new RelayAttempt(this, request, target, provider, upstreamBody.WrittenMemory, http);
            var outcome = await _attempts.RunAsync(provider, target, request.RequestId, request.Timing, attempt, cancellationToken)
                .ConfigureAwait(false);
            attempts += outcome.Attempts;
            last = outcome.Last;
            if (outcome.Final)
            {
                return Finish(last, target, attempts);
            }

            sawOnlyBackpressure &= outcome.OnlyBackpressure;
            if (outcome.ShortestRetryAfter is { } hint && (shortestRetryAfter is null || hint < shortestRetryAfter))
            {
                shortestRetryAfter = hint;
            }
        }

        return Failed(last, lastModel, attempts, sawOnlyBackpressure ? shortestRetryAfter : null);
    }

    /// <summary>One relay attempt, bound statically into the shared <see cref="AttemptLoop"/>.</summary>
    private readonly struct RelayAttempt(
        ChatDispatcher dispatcher, DispatchRequest request, ModelTarget target, ProviderRuntime provider, ReadOnlyMemory<byte> body, HttpContext http)
        : IUpstreamAttempt
    {
        public Task<AttemptResult> RunAsync(CancellationToken cancellationToken) =>
            dispatcher.AttemptAsync(request, target, provider, body, http, cancellationToken);
    }

    private static void WriteUpstreamBody(DispatchRequest request, ModelTarget target, bool addUsage, PooledBufferWriter output)
    {
        output.Clear();
        if (request.Chat is { } chat)
        {
            UpstreamRequestWriter.Write(chat, target.UpstreamNameJson, addUsage, output);
        }
        else
        {
            ReadOnlySpan<JsonEdit> edit = [new JsonEdit(request.ModelValue.Start, request.ModelValue.Length, target.UpstreamNameJson)];
            JsonEdit.Apply(request.Body.Span, edit, output);
        }
    }

    private static DispatchResult Finish(in AttemptResult result, ModelTarget target, int attempts) => new()
    {
        Outcome = result.Outcome,
        Committed = result.Committed,
        StatusCode = result.ClientStatus,
        Model = target,
        Attempts = attempts,
        Usage = result.Usage,
        CostUsd = result.Outcome is UpstreamOutcome.Success or UpstreamOutcome.StreamInterrupted
            ? target.Cost(result.Usage.PromptTokens, result.Usage.CompletionTokens)
            : 0m,
        Detail = result.Detail,
        CapturedJson = result.CapturedJson,
        CapturedEvents = result.CapturedEvents,
    };

    private static DispatchResult Failed(in AttemptResult last, ModelTarget? model, int attempts, TimeSpan? retryAfter)
    {
        var status = last.Outcome switch
        {
            UpstreamOutcome.Timeout => StatusCodes.Status504GatewayTimeout,
            UpstreamOutcome.CircuitOpen or UpstreamOutcome.RateLimited => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status502BadGateway,
        };
        var what = model is null ? "no upstream was tried" : $"last: {model.Id}: {last.Detail}";
        return new DispatchResult
        {
            Outcome = last.Outcome,
            Committed = false,
            StatusCode = status,
            Model = model,
            Attempts = attempts,
            Detail = $"No upstream could answer after {attempts} attempt(s); {what}",
            RetryAfter = retryAfter ?? (last.Outcome == UpstreamOutcome.CircuitOpen ? TimeSpan.FromSeconds(1) : null),
        };
    }
}
