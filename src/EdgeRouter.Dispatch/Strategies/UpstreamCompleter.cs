using System.Diagnostics;
using EdgeRouter.Configuration;
using EdgeRouter.Diagnostics;
using EdgeRouter.Dispatch.Forwarding;
using EdgeRouter.Dispatch.Providers;
using EdgeRouter.Pipeline;
using EdgeRouter.Pipeline.Routing;
using EdgeRouter.Protocol;
using Microsoft.Extensions.Logging;

namespace EdgeRouter.Dispatch.Strategies;

/// <summary>
/// Sends a chat request to one model as a buffered, non-streaming upstream call (<c>stream</c> dropped even when the
/// client streams) and returns the answer as a <see cref="Completion"/> value: what dispatch strategies (cascade,
/// speculative race) and verifiers (judge, consistency) build on. Uses the provider's timeouts, retries with
/// backoff and circuit breaker exactly like <see cref="ChatDispatcher"/> (the same <c>AttemptLoop</c>), and feeds
/// every answered call's latency into <see cref="ModelLatencies"/>. Cancelling the token aborts the HTTP exchange at
/// once and yields <see cref="UpstreamOutcome.Canceled"/> with the cost so far: the estimated prompt tokens (see
/// <see cref="PromptTokenEstimate"/>) times the input price when an attempt was in flight, since a provider bills
/// the prompt it has started to process; failed attempts cost nothing. Process-wide and thread-safe.
/// </summary>
public sealed class UpstreamCompleter
{
    private readonly AttemptLoop _attempts;
    private readonly ModelLatencies? _latencies;

    /// <summary>Creates the completer.</summary>
    /// <param name="metrics">Where attempts and time to first byte are counted.</param>
    /// <param name="logger">Logger for failed attempts and circuit changes.</param>
    /// <param name="time">Clock for backoff delays.</param>
    /// <param name="latencies">Receives every answered call's latency; null to record none.</param>
    /// <param name="random">Source of backoff jitter; <see cref="Random.Shared"/> when null.</param>
    public UpstreamCompleter(GatewayMetrics metrics, ILogger logger, TimeProvider time, ModelLatencies? latencies = null, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        _attempts = new AttemptLoop(metrics, logger, time, random ?? Random.Shared);
        _latencies = latencies;
    }

    /// <summary>Sends <paramref name="request"/> to <paramref name="model"/> and waits for the whole answer.</summary>
    /// <param name="request">The chat request and the snapshot's providers.</param>
    /// <param name="model">The model to call; its provider must be in <c>request.Providers</c>.</param>
    /// <param name="cancellationToken">Aborts the upstream exchange at once (a lost race, a client disconnect, a spent budget).</param>
    public async Task<Completion> CompleteAsync(CompletionRequest request, ModelTarget model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(model);
        var started = Stopwatch.GetTimestamp();
        var provider = request.Providers[model.Provider];
        using var body = new PooledBufferWriter(request.Chat.Body.Length + 32);
        BufferedRequestWriter.Write(request.Chat, model.UpstreamNameJson, body);
        var attempt = new BufferedAttempt(this, request, model, provider, body.WrittenMemory);
        var outcome = await _attempts.RunAsync(provider, model, request.RequestId, null, attempt, cancellationToken).ConfigureAwait(false);
        return ToCompletion(outcome, request, model, started);
    }

    private Completion ToCompletion(in CandidateOutcome outcome, CompletionRequest request, ModelTarget model, long started)
    {
        var last = outcome.Last;
        var latencyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var firstByteMs = last.FirstByteTimestamp != 0 ? Stopwatch.GetElapsedTime(last.SentTimestamp, last.FirstByteTimestamp).TotalMilliseconds : 0;
        if (last.Outcome != UpstreamOutcome.Success)
        {
            // A cancelled attempt carries its estimated prompt as usage; other failures are not billed.
            var usage = last.Outcome == UpstreamOutcome.Canceled ? last.Usage : default;
            return new Completion
            {
                Outcome = last.Outcome,
                StatusCode = last.ClientStatus,
                Model = model,
                Json = last.Outcome == UpstreamOutcome.ClientError ? last.CapturedJson : default,
                Usage = usage,
                UsageEstimated = usage.IsKnown,
                CostUsd = model.Cost(usage.PromptTokens, usage.CompletionTokens),
                LatencyMs = latencyMs,
                FirstByteMs = firstByteMs,
                Attempts = outcome.Attempts,
                Detail = last.Detail,
                RetryAfter = outcome.ShortestRetryAfter ?? last.RetryAfter,
            };
        }

        Completion.TryReadAnswer(last.CapturedJson, out var content, out var refusal, out var finishReason, out var hasToolCalls);
        var reported = last.Usage;
        var estimated = !reported.IsKnown;
        var tokens = estimated
            ? new TokenUsage(PromptTokenEstimate.Estimate(request.Chat.Body.Span), (System.Text.Encoding.UTF8.GetByteCount(content ?? refusal ?? "") + 3) / 4)
            : reported;
        _latencies?.Observe(model.Id, firstByteMs, Stopwatch.GetElapsedTime(last.SentTimestamp).TotalMilliseconds);
        return new Completion
        {
            Outcome = UpstreamOutcome.Success,
            StatusCode = last.ClientStatus,
            Model = model,
            Json = last.CapturedJson,
            Content = content,
            Refusal = refusal,
            FinishReason = finishReason,
            HasToolCalls = hasToolCalls,
            Usage = tokens,
            UsageEstimated = estimated,
            CostUsd = model.Cost(tokens.PromptTokens, tokens.CompletionTokens),
            LatencyMs = latencyMs,
            FirstByteMs = firstByteMs,
            Attempts = outcome.Attempts,
        };
    }

    /// <summary>One buffered attempt: send, read the whole body, check it is a completion, rewrite <c>model</c>.</summary>
    private async Task<AttemptResult> AttemptAsync(
        CompletionRequest request, ModelTarget model, ProviderRuntime provider, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var clock = new AttemptClock(provider.Config.Timeouts, cancellationToken);
        using var message = UpstreamExchange.CreateMessage(provider.ChatCompletionsUri, provider, body, acceptEventStream: false, request.RequestId,
            request.ClientHeaders);
        var sent = Stopwatch.GetTimestamp();
        var (response, failure) = await UpstreamExchange.SendAsync(provider, message, clock, null, cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            return failure.Outcome == UpstreamOutcome.Canceled ? Canceled(request, sent, 0) : failure;
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            using var upstream = new PooledBufferWriter((int)Math.Clamp(response.Content.Headers.ContentLength ?? 8192, 256, 1 << 20));
            var success = status is >= 200 and <= 299;
            var read = await UpstreamExchange.ReadBodyAsync(response, upstream,
                success ? ChatDispatcher.MaxBufferedResponseBytes : ChatDispatcher.MaxErrorBodyBytes, clock, null, firstByteArmsIdle: success)
                .ConfigureAwait(false);
            if (!success)
            {
                var outcome = UpstreamExchange.ClassifyStatus(status);
                var excerpt = UpstreamExchange.Excerpt(upstream.WrittenSpan);
                if (read.Result == BodyReadResult.Canceled)
                {
                    return Canceled(request, sent, read.FirstByteTimestamp);
                }

                return outcome == UpstreamOutcome.ClientError && read.Result == BodyReadResult.Complete
                    ? new AttemptResult
                    {
                        Outcome = UpstreamOutcome.ClientError,
                        ClientStatus = status,
                        Detail = $"upstream rejected the request with {status}{excerpt}",
                        CapturedJson = upstream.ToArray(),
                        SentTimestamp = sent,
                    }
                    : AttemptResult.Fail(outcome == UpstreamOutcome.ClientError ? UpstreamOutcome.BadResponse : outcome, status,
                        $"upstream answered {status}{excerpt}", UpstreamExchange.RetryAfter(response, _attempts.Time));
            }

            switch (read.Result)
            {
                case BodyReadResult.Canceled:
                    return Canceled(request, sent, read.FirstByteTimestamp);
                case BodyReadResult.TimedOut:
                    return AttemptResult.Fail(UpstreamOutcome.Timeout, 0, clock.CancelReason);
                case BodyReadResult.Broken:
                    return AttemptResult.Fail(UpstreamOutcome.ConnectFailure, 0, "connection broke while reading the answer");
                case BodyReadResult.TooLarge:
                    return AttemptResult.Fail(UpstreamOutcome.BadResponse, 0, $"answer larger than {ChatDispatcher.MaxBufferedResponseBytes} bytes");
            }

            if (read.FirstByteTimestamp != 0)
            {
                _attempts.Metrics.UpstreamTimeToFirstByte.WithLabels(model.Provider, model.Id)
                    .Observe(Stopwatch.GetElapsedTime(sent, read.FirstByteTimestamp).TotalSeconds);
            }

            if (!ChatResponseScanner.TryScan(upstream.WrittenSpan, out var info) || info.ChoicesEmpty)
            {
                return AttemptResult.Fail(UpstreamOutcome.BadResponse, status,
                    $"upstream answered {status} with a body that is not a chat completion{UpstreamExchange.Excerpt(upstream.WrittenSpan)}");
            }

            if (info.HasError)
            {
                return AttemptResult.Fail(UpstreamOutcome.ServerError, status,
                    $"upstream answered {status} with an error object{UpstreamExchange.Excerpt(upstream.WrittenSpan)}");
            }

            byte[] json;
            if (info.Model.IsPresent)
            {
                using var rewritten = new PooledBufferWriter(upstream.WrittenCount + model.IdJson.Length);
                ReadOnlySpan<JsonEdit> edit = [new JsonEdit(info.Model.Start, info.Model.Length, model.IdJson)];
                JsonEdit.Apply(upstream.WrittenSpan, edit, rewritten);
                json = rewritten.ToArray();
            }
            else
            {
                json = upstream.ToArray();
            }

            return new AttemptResult
            {
                Outcome = UpstreamOutcome.Success,
                ClientStatus = status,
                Usage = new TokenUsage(info.PromptTokens, info.CompletionTokens),
                CapturedJson = json,
                SentTimestamp = sent,
                FirstByteTimestamp = read.FirstByteTimestamp,
            };
        }
    }

    /// <summary>An attempt cancelled in flight: its prompt was sent, so it carries the estimated prompt tokens as usage.</summary>
    private static AttemptResult Canceled(CompletionRequest request, long sent, long firstByte) => new()
    {
        Outcome = UpstreamOutcome.Canceled,
        ClientStatus = 499,
        Detail = "cancelled",
        Usage = new TokenUsage(PromptTokenEstimate.Estimate(request.Chat.Body.Span), 0),
        SentTimestamp = sent,
        FirstByteTimestamp = firstByte,
    };

    private readonly struct BufferedAttempt(
        UpstreamCompleter completer, CompletionRequest request, ModelTarget model, ProviderRuntime provider, ReadOnlyMemory<byte> body)
        : IUpstreamAttempt
    {
        public Task<AttemptResult> RunAsync(CancellationToken cancellationToken) =>
            completer.AttemptAsync(request, model, provider, body, cancellationToken);
    }
}
