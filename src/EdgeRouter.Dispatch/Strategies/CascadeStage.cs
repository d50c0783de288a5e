using System.Text;
using System.Text.Json.Serialization.Metadata;
using EdgeRouter.Configuration;
using EdgeRouter.Dispatch.Forwarding;
using EdgeRouter.Dispatch.Verification;
using EdgeRouter.Pipeline;
using EdgeRouter.Pipeline.Routing;

namespace EdgeRouter.Dispatch.Strategies;

/// <summary>Settings of a <c>cascade</c> stage.</summary>
public sealed record CascadeStageSettings
{
    /// <summary>
    /// Models tried in order, each among the route's <c>models</c>; by default the route's models from the routers'
    /// choice upwards (weakest first). With explicit tiers the cascade starts at the first tier at or above the
    /// routers' choice.
    /// </summary>
    public IReadOnlyList<string>? Tiers { get; set; }

    /// <summary>The checks each tier's answer must pass, in order (at least one).</summary>
    public IReadOnlyList<VerifierConfig> Verifiers { get; set; } = [];

    /// <summary>
    /// Milliseconds the cascade may take; it escalates only while the next tier's expected latency (its live
    /// average, see ModelLatencies) fits in what is left, and an escalated call is cut off when the budget ends.
    /// Then the best answer so far is returned, marked. No limit when absent.
    /// </summary>
    public int? LatencyBudgetMs { get; set; }

    /// <summary>Whether an upstream failure of a tier (after its retries) escalates to the next tier; default true.</summary>
    public bool EscalateOnError { get; set; } = true;

    /// <summary>Streaming clients get headers and an SSE comment every this many milliseconds while the cascade works; 0 disables; default 2000.</summary>
    public int StreamKeepAliveMs { get; set; } = StrategyDefaults.StreamKeepAliveMs;
}

/// <summary>Defaults shared by the strategy stages.</summary>
public static class StrategyDefaults
{
    /// <summary>The default keep-alive interval for streaming clients, in milliseconds.</summary>
    public const int StreamKeepAliveMs = 2000;
}

/// <summary>
/// Cascade: asks the tiers one at a time, cheapest first, as buffered calls; each answer is checked by the
/// verifiers, and a failure escalates to the next tier (recorded with its reason). The first answer that passes is
/// returned; the last tier's answer is returned even when it fails (marked <c>x-edgerouter-verified: false</c>).
/// Every answer the client does not get is extra cost. Streaming clients get the answer replayed as chunk events.
/// Thread-safe: per-request state lives in the context.
/// </summary>
public sealed class CascadeStage : IRouteStage
{
    private readonly ModelTarget[]? _tiers;
    private readonly VerifierChain _verifiers;
    private readonly TimeSpan? _budget;
    private readonly bool _escalateOnError;
    private readonly TimeSpan _keepAlive;
    private readonly StrategyServices _services;

    /// <summary>Creates the stage.</summary>
    /// <param name="tiers">Explicit tiers (route models), or null for the route's models from the routers' choice up.</param>
    /// <param name="verifiers">The checks.</param>
    /// <param name="budget">The latency budget, or null.</param>
    /// <param name="escalateOnError">Whether an upstream failure escalates.</param>
    /// <param name="keepAlive">The keep-alive interval for streaming clients (zero disables).</param>
    /// <param name="services">Completer, providers, latencies and clock.</param>
    public CascadeStage(IReadOnlyList<ModelTarget>? tiers, VerifierChain verifiers, TimeSpan? budget, bool escalateOnError, TimeSpan keepAlive,
        StrategyServices services)
    {
        ArgumentNullException.ThrowIfNull(verifiers);
        ArgumentNullException.ThrowIfNull(services);
        _tiers = tiers is null ? null : [.. tiers];
        _verifiers = verifiers;
        _budget = budget;
        _escalateOnError = escalateOnError;
        _keepAlive = keepAlive;
        _services = services;
    }

    /// <inheritdoc />
    public string Kind => CascadeStageFactory.KindName;

    /// <summary>The tiers for a request whose routers chose <c>routing.Choice</c> (-1: none).</summary>
    public IReadOnlyList<ModelTarget> Tiers(RoutingState routing)
    {
        ArgumentNullException.ThrowIfNull(routing);
        var start = Math.Max(routing.Choice, 0);
        if (_tiers is null)
        {
            return routing.Models.Count == 0 ? [] : [.. routing.Models.Skip(Math.Min(start, routing.Models.Count - 1))];
        }

        var tiers = _tiers.Where(t => routing.IndexOf(t) >= start).ToArray();
        return tiers.Length > 0 ? tiers : [routing.Chosen ?? _tiers[^1]];
    }

    /// <inheritdoc />
    public async ValueTask<StageOutcome> InvokeAsync(RequestContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var routing = context.Routing;
        routing.Strategy = "cascade";
        if (_keepAlive > TimeSpan.Zero && context.Request.Stream)
        {
            context.DeferResponse(_keepAlive);
        }

        context.Timing.BeginUpstreamWait();
        try
        {
            return StageOutcome.Respond(await RunAsync(context, Tiers(routing), cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            context.Timing.EndUpstreamWait();
        }
    }

    private async Task<GatewayResponse> RunAsync(RequestContext context, IReadOnlyList<ModelTarget> tiers, CancellationToken cancellationToken)
    {
        var routing = context.Routing;
        var verification = new VerificationContext(context, _services.Completer, _services.Providers);
        var budget = new LatencyBudget(_budget, _services.Time);
        var trace = new StringBuilder();
        Completion? best = null; // the strongest answer so far; it failed its checks
        Completion? last = null;
        string? stopped = null;
        for (var i = 0; i < tiers.Count; i++)
        {
            var tier = tiers[i];
            var next = i + 1 < tiers.Count ? tiers[i + 1] : null;
            Completion answer;
            bool expired;
            using (var deadline = i == 0 ? default : budget.Deadline(cancellationToken))
            {
                answer = await verification.CompleteAsync(context.Request, tier, i == 0 ? cancellationToken : deadline.Token).ConfigureAwait(false);
                expired = deadline.Expired;
            }

            last = answer;
            if (answer.Outcome == UpstreamOutcome.Canceled)
            {
                routing.AddExtraCost(answer.CostUsd);
                if (!expired)
                {
                    break; // the client went away
                }

                stopped = "latency budget exhausted";
                routing.AddVerdict(new VerifierVerdict("latency-budget", tier.Id, false, $"cut off after {StrategyResponses.Ms(answer.LatencyMs)}"));
                Append(trace, $"{tier.Id} cut off by the latency budget");
                break;
            }

            if (!answer.Succeeded)
            {
                Append(trace, $"{tier.Id} {answer.Outcome.ToLabel()}");
                if (answer.Outcome == UpstreamOutcome.ClientError)
                {
                    break; // the request is at fault: a stronger model would refuse it too
                }

                if (!_escalateOnError || next is null || !Affordable(budget, next, out stopped))
                {
                    break;
                }

                routing.NoteEscalation(tier, next, "upstream " + answer.Outcome.ToLabel());
                continue;
            }

            var check = await _verifiers.VerifyAsync(verification, answer, cancellationToken).ConfigureAwait(false);
            if (i == 0 && !check.Canceled)
            {
                routing.FirstChoiceAcceptable = check.Passed;
            }

            if (best is not null)
            {
                routing.AddExtraCost(best.CostUsd);
            }

            best = answer;
            if (check.Canceled)
            {
                break;
            }

            if (check.Passed)
            {
                Append(trace, $"{tier.Id} passed");
                context.Trace.Add(Kind, trace.ToString());
                return StrategyResponses.Answer(context, answer, verified: true, verification.Attempts);
            }

            Append(trace, $"{tier.Id} failed {check.Reason}");
            if (next is null || !Affordable(budget, next, out stopped))
            {
                break;
            }

            routing.NoteEscalation(tier, next, check.Reason);
        }

        if (stopped is not null)
        {
            Append(trace, stopped);
        }

        context.Trace.Add(Kind, trace.ToString());
        if (best is not null)
        {
            return StrategyResponses.Answer(context, best, verified: false, verification.Attempts, stopped);
        }

        return StrategyResponses.Failure(last!, verification.Attempts, Kind);
    }

    /// <summary>Whether the budget leaves time for <paramref name="next"/> at its live average latency.</summary>
    private bool Affordable(LatencyBudget budget, ModelTarget next, out string? stopped)
    {
        stopped = null;
        var estimate = _services.Latencies is { } latencies && latencies.TryGet(next.Id, out var seen) ? TimeSpan.FromMilliseconds(seen.TotalMs) : TimeSpan.Zero;
        if (budget.Allows(estimate))
        {
            return true;
        }

        stopped = $"latency budget exhausted: {StrategyResponses.Ms(budget.Remaining.TotalMilliseconds)} left, {next.Id} takes ~{StrategyResponses.Ms(estimate.TotalMilliseconds)}";
        return false;
    }

    private static void Append(StringBuilder trace, string step)
    {
        if (trace.Length > 0)
        {
            trace.Append(" → ");
        }

        trace.Append(step);
    }
}

/// <summary>Factory of <c>cascade</c> stages.</summary>
public sealed class CascadeStageFactory : StageFactory<CascadeStageSettings>
{
    /// <summary>The <c>kind</c> value.</summary>
    public const string KindName = "cascade";

    /// <inheritdoc />
    public override string Kind => KindName;

    /// <inheritdoc />
    public override StageTermination Termination => StageTermination.Always;

    /// <inheritdoc />
    public override StageRole Role => StageRole.Strategy;

    /// <inheritdoc />
    protected override JsonTypeInfo<CascadeStageSettings> SettingsTypeInfo => DispatchJsonContext.Default.CascadeStageSettings;

    /// <inheritdoc />
    protected override void Validate(CascadeStageSettings settings, StageBindingContext context)
    {
        var path = context.Path;
        if (context.Errors.Require(settings.Verifiers.Count > 0, $"{path}.verifiers",
                $"must list at least one verifier ({string.Join(", ", VerifierFactory.Kinds)}): without checks a cascade never escalates"))
        {
            VerifierFactory.Validate(settings.Verifiers, $"{path}.verifiers", context.Catalog, context.Errors);
        }

        if (settings.Tiers is { } tiers)
        {
            StrategyValidation.RequireRouteModels(tiers, $"{path}.tiers", context);
        }

        if (settings.LatencyBudgetMs is { } budget)
        {
            context.Errors.Require(budget > 0, $"{path}.latencyBudgetMs", $"must be > 0, got {budget}");
        }

        StrategyValidation.RequireKeepAlive(settings.StreamKeepAliveMs, path, context);
    }

    /// <inheritdoc />
    protected override IRouteStage Create(CascadeStageSettings settings, StageServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new CascadeStage(
            settings.Tiers?.Select(id => services.Catalog.TryResolve(id, out var t) ? t : throw new InvalidOperationException($"'{id}' was validated but is not in the catalog.")).ToArray(),
            VerifierFactory.Create(settings.Verifiers, services.Catalog),
            settings.LatencyBudgetMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
            settings.EscalateOnError,
            TimeSpan.FromMilliseconds(settings.StreamKeepAliveMs),
            StrategyServices.From(services, KindName));
    }
}

/// <summary>Validation shared by the strategy factories.</summary>
internal static class StrategyValidation
{
    /// <summary>Each of <paramref name="ids"/> must be one of the route's models, listed once.</summary>
    public static void RequireRouteModels(IReadOnlyList<string> ids, string path, StageBindingContext context)
    {
        if (!context.Errors.Require(ids.Count > 0, path, "must list at least one model (or leave it out to use the route's models)"))
        {
            return;
        }

        var routeModels = RoutePath(context.Path) + ".models";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ids.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            if (!ConfigValidator.RequireChatModel(ids[i], itemPath, context.Catalog, context.Errors))
            {
                continue;
            }

            context.Catalog.TryResolve(ids[i], out var target);
            if (context.Models.Count > 0 && !context.Models.Contains(target!))
            {
                context.Errors.Add(itemPath, $"'{target!.Id}' is not one of the route's models ({routeModels})");
            }
            else if (!seen.Add(target!.Id))
            {
                context.Errors.Add(itemPath, $"'{target.Id}' is listed twice");
            }
        }
    }

    public static void RequireKeepAlive(int keepAliveMs, string path, StageBindingContext context) =>
        context.Errors.Require(keepAliveMs >= 0, $"{path}.streamKeepAliveMs", $"must be >= 0 (0 disables), got {keepAliveMs}");

    /// <summary><c>routes.auto</c> for <c>routes.auto.stages[2]</c>.</summary>
    private static string RoutePath(string stagePath)
    {
        var cut = stagePath.LastIndexOf(".stages[", StringComparison.Ordinal);
        return cut > 0 ? stagePath[..cut] : stagePath;
    }
}
