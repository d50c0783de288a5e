using System.Text.Json.Serialization.Metadata;
using EdgeRouter.Pipeline;
using EdgeRouter.Pipeline.Routing;
using EdgeRouter.Routing.Routers;

namespace EdgeRouter.Routing.Intent;

/// <summary>
/// Semantic routing: recognises the prompt's intent from example utterances. A recognised intent labels the request
/// (<see cref="RoutingState.Intent"/>, which a mixture can weigh by) and, when it names a model, pins it.
/// </summary>
public sealed class IntentStage : IRouteStage
{
    private readonly IntentMatcher _matcher;
    private readonly int[] _modelIndex;

    /// <summary>Creates the stage; <paramref name="modelIndex"/> holds each intent's route-model index or -1.</summary>
    public IntentStage(IntentMatcher matcher, IReadOnlyList<int> modelIndex)
    {
        ArgumentNullException.ThrowIfNull(matcher);
        ArgumentNullException.ThrowIfNull(modelIndex);
        _matcher = matcher;
        _modelIndex = [.. modelIndex];
    }

    /// <summary>The matcher (for <c>edgerouter fit</c>).</summary>
    public IntentMatcher Matcher => _matcher;

    /// <inheritdoc />
    public string Kind => IntentStageFactory.KindName;

    /// <inheritdoc />
    public ValueTask<StageOutcome> InvokeAsync(RequestContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.SkippedForPin(Kind))
        {
            return new(StageOutcome.Continue);
        }

        var routing = context.Routing;

        var (intent, score, recognised) = _matcher.Match(PromptFeatures.Of(context));
        var definition = _matcher.Intents[intent];
        var detail = $"{definition.Name} {Distribution.F(score)} {(recognised ? "≥" : "<")} {Distribution.F(definition.Threshold)}";
        if (!recognised)
        {
            context.Trace.Add(Kind, "none: best " + detail);
            return new(StageOutcome.Continue);
        }

        routing.Intent = definition.Name;
        if (_modelIndex[intent] is var model and >= 0)
        {
            routing.Pin(new RouterVote(Kind, Distribution.OneHot(routing.Models.Count, model), model, detail));
            context.Trace.Add(Kind, $"{detail} → {routing.Models[model].Id}");
        }
        else
        {
            context.Trace.Add(Kind, detail);
        }

        return new(StageOutcome.Continue);
    }
}

/// <summary>Factory of <c>intent</c> stages.</summary>
public sealed class IntentStageFactory : StageFactory<IntentSettings>
{
    /// <summary>The <c>kind</c> value.</summary>
    public const string KindName = "intent";

    /// <inheritdoc />
    public override string Kind => KindName;

    /// <inheritdoc />
    public override StageTermination Termination => StageTermination.Never;

    /// <inheritdoc />
    public override StageRole Role => StageRole.Router;

    /// <inheritdoc />
    protected override JsonTypeInfo<IntentSettings> SettingsTypeInfo => RoutingJsonContext.Default.IntentSettings;

    /// <inheritdoc />
    protected override void Validate(IntentSettings settings, StageBindingContext context)
    {
        var path = context.Path;
        var errors = context.Errors;
        RouterSettings.RequireEncoder(settings.Encoder, $"{path}.encoder", context);
        RouterSettings.RequireRouteModels(context, path, 1);
        errors.Require(settings.Intents.Count > 0, $"{path}.intents", "must define at least one intent");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < settings.Intents.Count; i++)
        {
            var intent = settings.Intents[i];
            var intentPath = $"{path}.intents[{i}]";
            if (errors.Require(intent.Name.Length > 0, $"{intentPath}.name", "must not be empty"))
            {
                errors.Require(names.Add(intent.Name), $"{intentPath}.name", $"'{intent.Name}' is defined twice");
            }

            errors.Require(intent.Examples.Count > 0, $"{intentPath}.examples", "must list at least one example utterance");
            for (var e = 0; e < intent.Examples.Count; e++)
            {
                errors.Require(intent.Examples[e].Trim().Length > 0, $"{intentPath}.examples[{e}]", "must not be empty");
            }

            errors.Require(intent.Threshold is >= -1 and <= 1, $"{intentPath}.threshold", $"must be in [-1, 1], got {Distribution.F(intent.Threshold)}");
            RouterSettings.RequireRouteModel(intent.Model, $"{intentPath}.model", context);
        }
    }

    /// <inheritdoc />
    protected override IRouteStage Create(IntentSettings settings, StageServices services)
    {
        var encoder = RouterSettings.ResolveEncoder(settings.Encoder, services);
        var models = services.RouteModels;
        return new IntentStage(new IntentMatcher(encoder, settings.Intents),
            [.. settings.Intents.Select(i => i.Model is null ? -1 : RouterSettings.IndexOf(models, i.Model, services))]);
    }
}
