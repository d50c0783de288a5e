using EdgeRouter.Configuration;
using EdgeRouter.Diagnostics;
using EdgeRouter.Pipeline;
using EdgeRouter.Pipeline.Routing;

namespace EdgeRouter.Endpoints;

/// <summary>What a finished request amounts to, for metrics and the decision log.</summary>
internal readonly record struct RequestSummary(int Status, string Outcome, ModelTarget? Model, int Attempts, TokenUsage Usage, decimal CostUsd);

/// <summary>Records every chat request once: Prometheus metrics and one structured decision log line.</summary>
internal sealed class RequestRecorder
{
    private static readonly string[] StatusLabels = Enumerable.Range(0, 600).Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private readonly GatewayMetrics _metrics;
    private readonly ILogger _decisionLog;

    private readonly ModelLatencies? _latencies;

    public RequestRecorder(GatewayMetrics metrics, ILoggerFactory loggers, ModelLatencies? latencies = null)
    {
        _latencies = latencies;
        _metrics = metrics;
        _decisionLog = loggers.CreateLogger(GatewayLog.DecisionCategory);
    }

    public void Record(RequestContext context, in RequestSummary summary)
    {
        // Strategies that make several calls (cascade, race) report each call themselves; a response without upstream
        // calls (a cache hit) says nothing about a model's latency.
        if (summary.Model is { } answered && summary.Status == 200 && summary.Outcome != "responded")
        {
            _latencies?.Observe(answered.Id, context.Timing.UpstreamTimeToFirstByteMs, context.Timing.ElapsedMs);
        }

        var timing = context.Timing;
        var overheadMs = timing.OverheadMs;
        var totalMs = timing.ElapsedMs;
        var model = summary.Model?.Id ?? "";
        var status = (uint)summary.Status < StatusLabels.Length ? StatusLabels[summary.Status] : "0";
        _metrics.Requests.WithLabels(context.RouteName, model, status).Increment();
        _metrics.Overhead.WithLabels(context.RouteName).Observe(overheadMs / 1000);
        _metrics.Duration.WithLabels(context.RouteName).Observe(totalMs / 1000);
        if (summary.Model is not null)
        {
            if (summary.Usage.IsKnown)
            {
                _metrics.Tokens.WithLabels(model, "prompt").Add(summary.Usage.PromptTokens);
                _metrics.Tokens.WithLabels(model, "completion").Add(summary.Usage.CompletionTokens);
            }

            _metrics.CostUsd.WithLabels(model).Add((double)summary.CostUsd);
        }

        if (_decisionLog.IsEnabled(LogLevel.Information))
        {
            GatewayLog.Decision(_decisionLog, context.RequestId, context.RouteName, model, summary.Model?.Provider ?? "",
                summary.Status, summary.Outcome, context.Request.Stream, summary.Attempts, overheadMs,
                timing.UpstreamTimeToFirstByteMs, totalMs, summary.Usage.PromptTokens, summary.Usage.CompletionTokens,
                summary.CostUsd, Explain(context, summary, totalMs));
        }
    }

    /// <summary>The stage trace, followed by the routing decision with its cost and latency when routers ran.</summary>
    private static string Explain(RequestContext context, in RequestSummary summary, double totalMs)
    {
        var trace = context.Trace.ToString();
        if (!context.HasRouting)
        {
            return trace;
        }

        var decision = DecisionJson.Render(context.Routing, summary.CostUsd + context.Routing.ExtraCostUsd, totalMs);
        return trace.Length == 0 ? "decision: " + decision : trace + "; decision: " + decision;
    }
}
