using System.Text.Json.Serialization.Metadata;
using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;

namespace EdgeRouter.Routing.Static;

/// <summary>Settings of a <c>fallback</c> stage.</summary>
public sealed record FallbackStageSettings
{
    /// <summary>Models tried in order; the first is used while it answers.</summary>
    public IReadOnlyList<string> Targets { get; set; } = [];
}

/// <summary>Sends every request to the first model, falling back to the next ones in order when it fails.</summary>
public sealed class FallbackStage : IRouteStage
{
    private readonly StageOutcome _outcome;

    /// <summary>Creates the stage for <paramref name="targets"/> in order.</summary>
    public FallbackStage(IReadOnlyList<ModelTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        _outcome = StageOutcome.Decide(new RoutingDecision(targets, "fallback " + string.Join(" > ", targets.Select(t => t.Id))));
    }

    /// <inheritdoc />
    public string Kind => FallbackStageFactory.KindName;

    /// <inheritdoc />
    public ValueTask<StageOutcome> InvokeAsync(RequestContext context, CancellationToken cancellationToken) => new(_outcome);
}

/// <summary>Factory of <c>fallback</c> stages.</summary>
public sealed class FallbackStageFactory : StageFactory<FallbackStageSettings>
{
    /// <summary>The <c>kind</c> value.</summary>
    public const string KindName = "fallback";

    /// <inheritdoc />
    public override string Kind => KindName;

    /// <inheritdoc />
    public override StageTermination Termination => StageTermination.Always;

    /// <inheritdoc />
    protected override JsonTypeInfo<FallbackStageSettings> SettingsTypeInfo => RoutingJsonContext.Default.FallbackStageSettings;

    /// <inheritdoc />
    protected override void Validate(FallbackStageSettings settings, StageBindingContext context)
    {
        if (!context.Errors.Require(settings.Targets.Count > 0, $"{context.Path}.targets", "must list at least one model"))
        {
            return;
        }

        for (var i = 0; i < settings.Targets.Count; i++)
        {
            ConfigValidator.RequireChatModel(settings.Targets[i], $"{context.Path}.targets[{i}]", context.Catalog, context.Errors);
        }
    }

    /// <inheritdoc />
    protected override IRouteStage Create(FallbackStageSettings settings, StageServices services) =>
        new FallbackStage([.. settings.Targets.Select(t => StaticStageFactory.Resolve(services.Catalog, t)).Distinct()]);
}
