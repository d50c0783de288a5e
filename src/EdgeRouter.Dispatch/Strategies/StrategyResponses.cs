using System.Globalization;
using EdgeRouter.Configuration;
using EdgeRouter.Dispatch.Forwarding;
using EdgeRouter.Pipeline;
using EdgeRouter.Pipeline.Routing;
using EdgeRouter.Protocol;

namespace EdgeRouter.Dispatch.Strategies;

/// <summary>Response headers of answers produced by dispatch strategies.</summary>
public static class StrategyHeaders
{
    /// <summary>
    /// <c>true</c> when the answer passed the strategy's verifiers; <c>false</c> when it is the best available answer
    /// that did not (the last tier of a cascade, both answers of a race failing), with <c>; latency budget exhausted</c>
    /// when a cascade stopped escalating for lack of time.
    /// </summary>
    public const string Verified = "x-edgerouter-verified";
}

/// <summary>Turns a strategy's result into the <see cref="GatewayResponse"/> the client gets.</summary>
internal static class StrategyResponses
{
    /// <summary>The answer of <paramref name="answer"/>; <paramref name="verified"/> and <paramref name="note"/> go to <see cref="StrategyHeaders.Verified"/>.</summary>
    public static GatewayResponse Answer(RequestContext context, Completion answer, bool verified, int attempts, string? note = null)
    {
        context.Timing.UpstreamTimeToFirstByteMs = answer.FirstByteMs;
        return new GatewayResponse
        {
            StatusCode = answer.StatusCode is >= 200 and <= 299 ? answer.StatusCode : 200,
            Json = answer.Json,
            Model = answer.Model,
            Usage = answer.Usage,
            CostUsd = answer.CostUsd,
            Attempts = attempts,
            Headers = [new(StrategyHeaders.Verified, (verified ? "true" : "false") + (note is null ? "" : "; " + note))],
        };
    }

    /// <summary>
    /// No answer: the upstream's own 4xx error when the request was at fault, else 502 (errors), 503 (rate limits,
    /// open circuits; with <c>Retry-After</c>) or 504 (timeouts), as an OpenAI error object.
    /// </summary>
    public static GatewayResponse Failure(Completion last, int attempts, string strategy)
    {
        if (last.Outcome == UpstreamOutcome.ClientError && !last.Json.IsEmpty)
        {
            return new GatewayResponse { StatusCode = last.StatusCode, Json = last.Json, Model = last.Model, Attempts = attempts };
        }

        if (last.Outcome == UpstreamOutcome.Canceled)
        {
            return new GatewayResponse
            {
                StatusCode = 499,
                Json = OpenAiErrors.ToBytes("The request was cancelled.", "request_cancelled", null, "canceled"),
                Attempts = attempts,
            };
        }

        var status = last.Outcome switch
        {
            UpstreamOutcome.Timeout => 504,
            UpstreamOutcome.CircuitOpen or UpstreamOutcome.RateLimited => 503,
            _ => 502,
        };
        var headers = new List<KeyValuePair<string, string>>(1);
        var retryAfter = last.RetryAfter ?? (last.Outcome == UpstreamOutcome.CircuitOpen ? TimeSpan.FromSeconds(1) : null);
        if (status == 503 && retryAfter is { } wait)
        {
            headers.Add(new("Retry-After", Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture)));
        }

        return new GatewayResponse
        {
            StatusCode = status,
            Json = OpenAiErrors.ToBytes($"No upstream could answer ({strategy}); last: {last.Model.Id}: {last.Detail ?? last.Outcome.ToLabel()}",
                OpenAiErrors.TypeFor(status), null, "upstream_" + last.Outcome.ToLabel()),
            Attempts = attempts,
            Headers = headers,
        };
    }

    /// <summary>The candidates to relay to, as <c>direct</c> orders them: the routers' choice first, else the route's models weakest first.</summary>
    public static IReadOnlyList<ModelTarget> Candidates(RoutingState routing) =>
        routing.Choice >= 0 ? routing.OrderedCandidates() : routing.Models;

    /// <summary>Formats USD for traces.</summary>
    public static string Usd(decimal usd) => "$" + usd.ToString("0.#########", CultureInfo.InvariantCulture);

    /// <summary>Formats milliseconds for traces.</summary>
    public static string Ms(double ms) => ms.ToString("0", CultureInfo.InvariantCulture) + " ms";
}
