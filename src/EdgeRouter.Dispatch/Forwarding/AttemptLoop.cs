using EdgeRouter.Configuration;
using EdgeRouter.Diagnostics;
using EdgeRouter.Dispatch.Providers;
using EdgeRouter.Dispatch.Reliability;
using EdgeRouter.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeRouter.Dispatch.Forwarding;

/// <summary>One upstream attempt of a caller (a relay to the client, a buffered completion); a struct so the loop binds it statically.</summary>
internal interface IUpstreamAttempt
{
    /// <summary>Makes one attempt; never throws for upstream failures.</summary>
    Task<AttemptResult> RunAsync(CancellationToken cancellationToken);
}

/// <summary>How the attempts on one candidate model ended.</summary>
/// <param name="Last">The last attempt's result (a circuit-open refusal when none could be made).</param>
/// <param name="Attempts">Attempts actually sent.</param>
/// <param name="Final">True when the caller must stop: an answer, the request's own error, or cancellation.</param>
/// <param name="ShortestRetryAfter">The shortest <c>Retry-After</c> an upstream asked for.</param>
/// <param name="OnlyBackpressure">True when every failure was a 429 or an open circuit.</param>
internal readonly record struct CandidateOutcome(AttemptResult Last, int Attempts, bool Final, TimeSpan? ShortestRetryAfter, bool OnlyBackpressure);

/// <summary>
/// The retry policy for one candidate model, shared by the relaying dispatcher and the buffered completer: asks the
/// provider's circuit breaker before each attempt and reports the result to it, retries retryable failures with
/// full-jitter backoff (or the upstream's <c>Retry-After</c> when it is under the cap), and counts attempts in the
/// metrics. Stateless apart from its collaborators; thread-safe.
/// </summary>
internal sealed class AttemptLoop
{
    private readonly GatewayMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Random _random;

    public AttemptLoop(GatewayMetrics metrics, ILogger logger, TimeProvider time, Random random)
    {
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _random = random;
    }

    public GatewayMetrics Metrics => _metrics;

    public TimeProvider Time => _time;

    /// <summary>Runs <paramref name="attempt"/> against <paramref name="provider"/> until it ends finally or the retries are spent.</summary>
    public async Task<CandidateOutcome> RunAsync<TAttempt>(
        ProviderRuntime provider, ModelTarget target, string requestId, ExchangeTiming? timing, TAttempt attempt, CancellationToken cancellationToken)
        where TAttempt : IUpstreamAttempt
    {
        var retry = provider.Config.Retry;
        AttemptResult last = default;
        var attempts = 0;
        TimeSpan? shortestRetryAfter = null;
        var onlyBackpressure = true;
        for (var number = 1; number <= retry.MaxAttempts; number++)
        {
            var permit = provider.Breaker.TryAcquire();
            if (!permit.Granted)
            {
                last = AttemptResult.Fail(UpstreamOutcome.CircuitOpen, 0, $"{target.Provider} circuit is open");
                _metrics.UpstreamAttempts.WithLabels(provider.Name, "circuit_open").Increment();
                break;
            }

            attempts++;
            last = await attempt.RunAsync(cancellationToken).ConfigureAwait(false);
            ReportToBreaker(provider, permit, last.Outcome);
            _metrics.UpstreamAttempts.WithLabels(provider.Name, last.Outcome.ToLabel()).Increment();
            if (last.Outcome.IsFinal())
            {
                return new(last, attempts, true, shortestRetryAfter, onlyBackpressure);
            }

            GatewayLog.UpstreamAttemptFailed(_logger, requestId, target.Id, number, last.Outcome.ToLabel(), last.Detail ?? "");
            onlyBackpressure &= last.Outcome == UpstreamOutcome.RateLimited;
            if (last.RetryAfter is { } hint && (shortestRetryAfter is null || hint < shortestRetryAfter))
            {
                shortestRetryAfter = hint;
            }

            if (!last.Outcome.IsRetryable() || number == retry.MaxAttempts)
            {
                break;
            }

            var delay = last.RetryAfter ?? Backoff.Jittered(retry, number, _random);
            if (delay > TimeSpan.FromMilliseconds(retry.RetryAfterCapMs))
            {
                break; // waiting that long here is worse than trying the next candidate now
            }

            if (!await WaitAsync(delay, timing, cancellationToken).ConfigureAwait(false))
            {
                return new(AttemptResult.Fail(UpstreamOutcome.Canceled, 499, "client disconnected"), attempts, true, shortestRetryAfter, onlyBackpressure);
            }
        }

        return new(last, attempts, false, shortestRetryAfter, onlyBackpressure);
    }

    private void ReportToBreaker(ProviderRuntime provider, CircuitPermit permit, UpstreamOutcome outcome)
    {
        if (outcome == UpstreamOutcome.Canceled)
        {
            provider.Breaker.ReportAbandoned(permit);
            return;
        }

        var transition = outcome.IsProviderFailure() ? provider.Breaker.ReportFailure(permit) : provider.Breaker.ReportSuccess(permit);
        switch (transition)
        {
            case CircuitTransition.Opened:
                GatewayLog.CircuitOpened(_logger, provider.Name, provider.Config.CircuitBreaker.FailureThreshold,
                    provider.Config.CircuitBreaker.OpenMs);
                break;
            case CircuitTransition.Closed:
                GatewayLog.CircuitClosed(_logger, provider.Name);
                break;
        }
    }

    private async ValueTask<bool> WaitAsync(TimeSpan delay, ExchangeTiming? timing, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            return true;
        }

        timing?.BeginUpstreamWait();
        try
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        finally
        {
            timing?.EndUpstreamWait();
        }
    }
}
