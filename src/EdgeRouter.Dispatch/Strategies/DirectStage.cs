using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using EdgeRouter.Pipeline;

namespace EdgeRouter.Dispatch.Strategies;

/// <summary>Settings of a <c>direct</c> stage: none.</summary>
public sealed record DirectStageSettings;

/// <summary>
/// Dispatches to the routers' choice through the normal relay (true streaming), with the other route models as
/// fallbacks by falling probability; without a router, the route's models weakest first. Sets the strategy to
/// <c>direct</c>. Stateless; thread-safe.
/// </summary>
public sealed class DirectStage : IRouteStage
{
    /// <inheritdoc />
    public string Kind => DirectStageFactory.KindName;

    /// <inheritdoc />
    public ValueTask<StageOutcome> InvokeAsync(RequestContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var routing = context.Routing;
        routing.Strategy = "direct";
        var candidates = StrategyResponses.Candidates(routing);
        var reason = routing.Chosen is { } chosen
            ? $"direct: {chosen.Id} (by {routing.ChosenBy}, confidence {routing.Confidence.ToString("0.###", CultureInfo.InvariantCulture)})"
            : $"direct: no router ran, weakest first ({candidates[0].Id})";
        return new(StageOutcome.Decide(new RoutingDecision(candidates, reason)));
    }
}

/// <summary>Factory of <c>direct</c> stages.</summary>
public sealed class DirectStageFactory : StageFactory<DirectStageSettings>
{
    /// <summary>The <c>kind</c> value.</summary>
    public const string KindName = "direct";

    /// <inheritdoc />
    public override string Kind => KindName;

    /// <inheritdoc />
    public override StageTermination Termination => StageTermination.Always;

    /// <inheritdoc />
    public override StageRole Role => StageRole.Strategy;

    /// <inheritdoc />
    protected override JsonTypeInfo<DirectStageSettings> SettingsTypeInfo => DispatchJsonContext.Default.DirectStageSettings;

    /// <inheritdoc />
    protected override void Validate(DirectStageSettings settings, StageBindingContext context)
    {
    }

    /// <inheritdoc />
    protected override IRouteStage Create(DirectStageSettings settings, StageServices services) => new DirectStage();
}
