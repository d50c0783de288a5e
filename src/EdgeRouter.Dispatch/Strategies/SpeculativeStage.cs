using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using EdgeRouter.Configuration;
using EdgeRouter.Dispatch.Forwarding;
using EdgeRouter.Dispatch.Verification;
using EdgeRouter.Pipeline;
using EdgeRouter.Pipeline.Routing;

namespace EdgeRouter.Dispatch.Strategies;

/// <summary>Settings of a <c>speculative</c> stage.</summary>
public sealed record SpeculativeStageSettings
{
    /// <summary><c>race</c> (default): always race; <c>adaptive</c>: race only when the routers are unsure (see <see cref="Band"/>).</summary>
    public string Mode { get; set; } = SpeculativeStage.RaceMode;

    /// <summary>
    /// adaptive: <c>[lo, hi]</c> on the routers' confidence (the chosen model's probability minus the runner-up's, in
    /// [-1, 1]; 0 when no router ran). The stage races when lo ≤ confidence ≤ hi and otherwise relays to the routers'
    /// choice alone, e.g. <c>[0, 0.3]</c>: race near-ties only.
    /// </summary>
    public IReadOnlyList<double>? Band { get; set; }

    /// <summary>The checks an answer must pass to win, in order; none means the first answer wins.</summary>
    public IReadOnlyList<VerifierConfig> Verifiers { get; set; } = [];

    /// <summary>Streaming clients get headers and an SSE comment every this many milliseconds while the race runs; 0 disables; default 2000.</summary>
    public int StreamKeepAliveMs { get; set; } = StrategyDefaults.StreamKeepAliveMs;
}

/// <summary>
/// Speculative race: asks the routers' choice (the cheapest model when no router ran) and the route's strongest
/// model at once, as buffered calls. The first answer that passes the verifiers wins (<see cref="RaceWinner"/>) and
/// the other call is aborted at that moment (<see cref="LoserCancellation"/>); its cost so far is extra cost and it
/// gets a <c>race</c> verdict "lost race". When the first answer fails its checks the race waits for the other;
/// when both fail, the stronger's answer is returned, marked <c>x-edgerouter-verified: false</c>. In
/// <c>adaptive</c> mode, or when the routers already chose the strongest model, a single call goes through the
/// normal relay instead (strategy <c>single</c>), so streaming clients stream. Thread-safe.
/// </summary>
public sealed class SpeculativeStage : IRouteStage
{
    /// <summary>The <c>race</c> mode.</summary>
    public const string RaceMode = "race";

    /// <summary>The <c>adaptive</c> mode.</summary>
    public const string AdaptiveMode = "adaptive";

    private const int Weak = 0;
    private const int Strong = 1;

    private readonly VerifierChain _verifiers;
    private readonly (double Low, double High)? _band;
    private readonly TimeSpan _keepAlive;
    private readonly StrategyServices _services;

    /// <summary>Creates the stage.</summary>
    /// <param name="verifiers">The checks a winner must pass.</param>
    /// <param name="band">adaptive mode's confidence band, or null to always race.</param>
    /// <param name="keepAlive">The keep-alive interval for streaming clients (zero disables).</param>
    /// <param name="services">Completer, providers, latencies and clock.</param>
    public SpeculativeStage(VerifierChain verifiers, (double Low, double High)? band, TimeSpan keepAlive, StrategyServices services)
    {
        ArgumentNullException.ThrowIfNull(verifiers);
        ArgumentNullException.ThrowIfNull(services);
        _verifiers = verifiers;
        _band = band;
        _keepAlive = keepAlive;
        _services = services;
    }

    /// <inheritdoc />
    public string Kind => SpeculativeStageFactory.KindName;

    /// <inheritdoc />
    public ValueTask<StageOutcome> InvokeAsync(RequestContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var routing = context.Routing;
        var weak = routing.Chosen ?? routing.Models[0];
        var strong = routing.Models[^1];
        var confidence = routing.Confidence.ToString("0.###", CultureInfo.InvariantCulture);
        if (_band is var (low, high) && (routing.Confidence < low || routing.Confidence > high))
        {
            return new(Single(context, $"confidence {confidence} outside [{Num(low)}, {Num(high)}]"));
        }

        if (ReferenceEquals(weak, strong) || weak.Id == strong.Id)
        {
            return new(Single(context, $"{strong.Id} is already the strongest"));
        }

        return RaceAsync(context, weak, strong, _band is null ? "" : $" (confidence {confidence} in band)", cancellationToken);
    }

    private static StageOutcome Single(RequestContext context, string why)
    {
        var routing = context.Routing;
        routing.Strategy = "single";
        var candidates = StrategyResponses.Candidates(routing);
        return StageOutcome.Decide(new RoutingDecision(candidates, $"speculative: single call to {candidates[0].Id}: {why}"));
    }

    private async ValueTask<StageOutcome> RaceAsync(RequestContext context, ModelTarget weak, ModelTarget strong, string why, CancellationToken cancellationToken)
    {
        var routing = context.Routing;
        routing.Strategy = "race";
        if (_keepAlive > TimeSpan.Zero && context.Request.Stream)
        {
            context.DeferResponse(_keepAlive);
        }

        var verification = new VerificationContext(context, _services.Completer, _services.Providers);
        var winner = new RaceWinner();
        Contestant[] results;
        context.Timing.BeginUpstreamWait();
        try
        {
            using var cancellation = new LoserCancellation(2, cancellationToken);
            // The winner cancels the other inside its own task, so WhenAll only waits for the loser's abort.
            results = await Task.WhenAll(
                RunAsync(Weak, weak, verification, winner, cancellation),
                RunAsync(Strong, strong, verification, winner, cancellation)).ConfigureAwait(false);
        }
        finally
        {
            context.Timing.EndUpstreamWait();
        }

        var won = winner.Winner;
        var chosen = won >= 0 ? won
            : results[Strong].Answer.Succeeded ? Strong
            : results[Weak].Answer.Succeeded ? Weak
            : -1;
        var weakResult = results[Weak];
        if (weakResult.Answer.Succeeded && !weakResult.Check.Canceled)
        {
            routing.FirstChoiceAcceptable = weakResult.Check.Passed;
        }

        var trace = $"raced {weak.Id} and {strong.Id}{why}: ";
        for (var i = 0; i < results.Length; i++)
        {
            if (i == chosen)
            {
                continue;
            }

            var other = results[i];
            routing.AddExtraCost(other.Answer.CostUsd);
            var cutShort = other.Answer.Outcome == UpstreamOutcome.Canceled || other.Check.Canceled;
            if (won >= 0 && (cutShort || other.Check.Passed))
            {
                var what = cutShort ? $"cancelled after {StrategyResponses.Ms(other.Answer.LatencyMs)}" : "passed too late";
                routing.AddVerdict(new VerifierVerdict("race", other.Answer.Model.Id, false, $"lost race: {what}, {StrategyResponses.Usd(other.Answer.CostUsd)} spent"));
            }
        }

        if (chosen < 0)
        {
            context.Trace.Add(Kind, trace + "no answer");
            var failed = results[Strong].Answer.Outcome == UpstreamOutcome.ClientError || results[Weak].Answer.Outcome != UpstreamOutcome.ClientError
                ? results[Strong].Answer
                : results[Weak].Answer;
            return StageOutcome.Respond(StrategyResponses.Failure(failed, verification.Attempts, Kind));
        }

        var answer = results[chosen].Answer;
        context.Trace.Add(Kind, trace + (won >= 0
            ? $"{answer.Model.Id} won in {StrategyResponses.Ms(answer.LatencyMs)}"
            : $"neither passed, {answer.Model.Id} answers unverified"));
        return StageOutcome.Respond(StrategyResponses.Answer(context, answer, verified: won >= 0, verification.Attempts));
    }

    private async Task<Contestant> RunAsync(int index, ModelTarget model, VerificationContext verification, RaceWinner winner, LoserCancellation cancellation)
    {
        var token = cancellation.Token(index);
        var answer = await verification.CompleteAsync(verification.Request.Request, model, token).ConfigureAwait(false);
        if (!answer.Succeeded)
        {
            return new Contestant(answer, default);
        }

        var check = await _verifiers.VerifyAsync(verification, answer, token).ConfigureAwait(false);
        if (check.Passed && winner.TryClaim(index))
        {
            cancellation.CancelAllBut(index);
        }

        return new Contestant(answer, check);
    }

    private static string Num(double value) => value.ToString(CultureInfo.InvariantCulture);

    private readonly record struct Contestant(Completion Answer, ChainResult Check);
}

/// <summary>Factory of <c>speculative</c> stages.</summary>
public sealed class SpeculativeStageFactory : StageFactory<SpeculativeStageSettings>
{
    /// <summary>The <c>kind</c> value.</summary>
    public const string KindName = "speculative";

    /// <inheritdoc />
    public override string Kind => KindName;

    /// <inheritdoc />
    public override StageTermination Termination => StageTermination.Always;

    /// <inheritdoc />
    public override StageRole Role => StageRole.Strategy;

    /// <inheritdoc />
    protected override JsonTypeInfo<SpeculativeStageSettings> SettingsTypeInfo => DispatchJsonContext.Default.SpeculativeStageSettings;

    /// <inheritdoc />
    protected override void Validate(SpeculativeStageSettings settings, StageBindingContext context)
    {
        var path = context.Path;
        var errors = context.Errors;
        var adaptive = settings.Mode == SpeculativeStage.AdaptiveMode;
        errors.Require(settings.Mode is SpeculativeStage.RaceMode or SpeculativeStage.AdaptiveMode, $"{path}.mode",
            $"must be 'race' or 'adaptive', got '{settings.Mode}'");
        if (settings.Band is { } band)
        {
            if (!adaptive)
            {
                errors.Add($"{path}.band", "applies only when mode is 'adaptive'");
            }
            else if (errors.Require(band.Count == 2, $"{path}.band", $"must be [lo, hi], got {band.Count} numbers"))
            {
                var ok = errors.Require(band[0] is >= -1 and <= 1, $"{path}.band[0]", $"must be in [-1, 1] (a confidence margin), got {Num(band[0])}");
                ok &= errors.Require(band[1] is >= -1 and <= 1, $"{path}.band[1]", $"must be in [-1, 1] (a confidence margin), got {Num(band[1])}");
                if (ok)
                {
                    errors.Require(band[0] <= band[1], $"{path}.band", $"lo must be <= hi, got [{Num(band[0])}, {Num(band[1])}]");
                }
            }
        }
        else if (adaptive)
        {
            errors.Add($"{path}.band", "is required in adaptive mode: [lo, hi] on the routers' confidence, e.g. [0, 0.3]");
        }

        VerifierFactory.Validate(settings.Verifiers, $"{path}.verifiers", context.Catalog, errors);
        StrategyValidation.RequireKeepAlive(settings.StreamKeepAliveMs, path, context);
    }

    /// <inheritdoc />
    protected override IRouteStage Create(SpeculativeStageSettings settings, StageServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new SpeculativeStage(
            VerifierFactory.Create(settings.Verifiers, services.Catalog),
            settings.Mode == SpeculativeStage.AdaptiveMode && settings.Band is [var low, var high] ? (low, high) : null,
            TimeSpan.FromMilliseconds(settings.StreamKeepAliveMs),
            StrategyServices.From(services, KindName));
    }

    private static string Num(double value) => value.ToString(CultureInfo.InvariantCulture);
}
