using System.Text.Json.Serialization.Metadata;
using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;

namespace EdgeRouter.Routing.Static;

/// <summary>Settings of a <c>static</c> stage.</summary>
public sealed record StaticStageSettings
{
    /// <summary>The model every request goes to (<c>provider/model</c>).</summary>
    public string Target { get; set; } = "";
}

/// <summary>Sends every request to one model.</summary>
public sealed class StaticStage : IRouteStage
{
    private readonly StageOutcome _outcome;

    /// <summary>Creates the stage for <paramref name="target"/>.</summary>
    public StaticStage(ModelTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        _outcome = StageOutcome.Decide(new RoutingDecision([target], $"static {target.Id}"));
    }

    /// <inheritdoc />
    public string Kind => StaticStageFactory.KindName;

    /// <inheritdoc />
    public ValueTask<StageOutcome> InvokeAsync(RequestContext context, CancellationToken cancellationToken) => new(_outcome);
}

/// <summary>Factory of <c>static</c> stages.</summary>
public sealed class StaticStageFactory : StageFactory<StaticStageSettings>
{
    /// <summary>The <c>kind</c> value.</summary>
    public const string KindName = "static";

    /// <inheritdoc />
    public override string Kind => KindName;

    /// <inheritdoc />
    public override StageTermination Termination => StageTermination.Always;

    /// <inheritdoc />
    protected override JsonTypeInfo<StaticStageSettings> SettingsTypeInfo => RoutingJsonContext.Default.StaticStageSettings;

    /// <inheritdoc />
    protected override void Validate(StaticStageSettings settings, StageBindingContext context) =>
        ConfigValidator.RequireChatModel(settings.Target, $"{context.Path}.target", context.Catalog, context.Errors);

    /// <inheritdoc />
    protected override IRouteStage Create(StaticStageSettings settings, StageServices services) =>
        new StaticStage(Resolve(services.Catalog, settings.Target));

    internal static ModelTarget Resolve(ModelCatalog catalog, string id) =>
        catalog.TryResolve(id, out var target) ? target : throw new InvalidOperationException($"'{id}' was validated but is not in the catalog.");
}
