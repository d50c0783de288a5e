using System.Text.Json.Serialization.Metadata;
using EdgeRouter.Pipeline;
using EdgeRouter.Routing.Cost;
using EdgeRouter.Routing.Latency;
using EdgeRouter.Routing.Learned;
using EdgeRouter.Routing.Routers;

namespace EdgeRouter.Routing.Mixture;

/// <summary>Runs a <see cref="MixtureRouter"/> as a pipeline stage.</summary>
public sealed class MixtureStage : IRouteStage
{
    private readonly MixtureRouter _mixture;

    /// <summary>Wraps <paramref name="mixture"/>.</summary>
    public MixtureStage(MixtureRouter mixture) => _mixture = mixture ?? throw new ArgumentNullException(nameof(mixture));

    /// <summary>The mixture this stage runs.</summary>
    public MixtureRouter Mixture => _mixture;

    /// <inheritdoc />
    public string Kind => MixtureStageFactory.KindName;

    /// <inheritdoc />
    public ValueTask<StageOutcome> InvokeAsync(RequestContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.SkippedForPin(Kind))
        {
            return new(StageOutcome.Continue);
        }

        var routing = context.Routing;

        var vote = _mixture.Route(context, PromptFeatures.Of(context), Kind);
        context.Trace.Add(Kind, $"{routing.Chosen?.Id}: {vote.Reason}");
        return new(StageOutcome.Continue);
    }
}

/// <summary>Factory of <c>mor</c> stages: binds each member with its own kind's settings.</summary>
public sealed class MixtureStageFactory : StageFactory<MixtureSettings>
{
    /// <summary>The <c>kind</c> value.</summary>
    public const string KindName = "mor";

    private static readonly string[] MemberKinds = [LearnedRouterFactory.KindName, CostRouterFactory.KindName, LatencyRouterFactory.KindName];

    /// <inheritdoc />
    public override string Kind => KindName;

    /// <inheritdoc />
    public override StageTermination Termination => StageTermination.Never;

    /// <inheritdoc />
    public override StageRole Role => StageRole.Router;

    /// <inheritdoc />
    protected override JsonTypeInfo<MixtureSettings> SettingsTypeInfo => RoutingJsonContext.Default.MixtureSettings;

    /// <inheritdoc />
    protected override void Validate(MixtureSettings settings, StageBindingContext context)
    {
        var path = context.Path;
        var errors = context.Errors;
        RouterSettings.RequireRouteModels(context, path, 2);
        errors.Require(settings.Routers.Count >= 2, $"{path}.routers", $"must list at least two routers to mix, got {settings.Routers.Count}");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < settings.Routers.Count; i++)
        {
            var member = settings.Routers[i];
            var memberPath = $"{path}.routers[{i}]";
            var name = member.Name ?? member.Kind;
            errors.Require(names.Add(name), $"{memberPath}.name", $"'{name}' is used twice; give members distinct names");
            var memberContext = context with { Path = memberPath, Settings = member.Settings ?? [] };
            switch (member.Kind)
            {
                case LearnedRouterFactory.KindName:
                    if (StageSettingsBinder.Bind(memberContext, RoutingJsonContext.Default.LearnedRouterSettings) is { } learned)
                    {
                        LearnedRouterFactory.ValidateSettings(learned, memberPath, context);
                        member.Bound = learned;
                    }

                    break;
                case CostRouterFactory.KindName:
                    if (StageSettingsBinder.Bind(memberContext, RoutingJsonContext.Default.CostRouterSettings) is { } cost)
                    {
                        CostRouterFactory.ValidateSettings(cost, memberPath, context);
                        member.Bound = cost;
                    }

                    break;
                case LatencyRouterFactory.KindName:
                    if (StageSettingsBinder.Bind(memberContext, RoutingJsonContext.Default.LatencyRouterSettings) is { } latency)
                    {
                        LatencyRouterFactory.ValidateSettings(latency, memberPath, context);
                        member.Bound = latency;
                    }

                    break;
                default:
                    errors.Add($"{memberPath}.kind", $"'{member.Kind}' cannot be mixed; mixable kinds: {string.Join(", ", MemberKinds)}");
                    break;
            }
        }

        if (!settings.Weights.ContainsKey("default"))
        {
            errors.Add($"{path}.weights", "must define the class 'default'");
        }

        foreach (var (requestClass, weights) in settings.Weights)
        {
            var classPath = $"{path}.weights.{requestClass}";
            foreach (var (router, weight) in weights)
            {
                errors.Require(names.Contains(router), $"{classPath}.{router}", $"names no router of this mixture ({string.Join(", ", names)})");
                errors.Require(weight >= 0 && double.IsFinite(weight), $"{classPath}.{router}", $"must be >= 0, got {Distribution.F(weight)}");
            }

            errors.Require(weights.Values.Any(w => w > 0), classPath, "must give at least one router a weight > 0");
        }

        foreach (var (tenant, requestClass) in settings.Classes.Tenants)
        {
            errors.Require(settings.Weights.ContainsKey(requestClass), $"{path}.classes.tenants.{tenant}", $"'{requestClass}' is not a class under weights");
        }

        foreach (var (intent, requestClass) in settings.Classes.Intents)
        {
            errors.Require(settings.Weights.ContainsKey(requestClass), $"{path}.classes.intents.{intent}", $"'{requestClass}' is not a class under weights");
        }

        errors.Require(settings.Classes.Header.Length > 0, $"{path}.classes.header", "must name a header");
        errors.Require(settings.ConfidenceFloor is >= 0 and <= 1, $"{path}.confidenceFloor", $"must be in [0, 1], got {Distribution.F(settings.ConfidenceFloor)}");
        var feedback = settings.Feedback;
        errors.Require(feedback.Alpha is > 0 and <= 1, $"{path}.feedback.alpha", $"must be in (0, 1], got {Distribution.F(feedback.Alpha)}");
        errors.Require(feedback.MinAgreement is >= 0 and <= 1, $"{path}.feedback.minAgreement", $"must be in [0, 1], got {Distribution.F(feedback.MinAgreement)}");
        errors.Require(feedback.RecoverAt >= feedback.MinAgreement && feedback.RecoverAt <= 1, $"{path}.feedback.recoverAt",
            $"must be in [minAgreement, 1], got {Distribution.F(feedback.RecoverAt)}");
        errors.Require(feedback.Cut is >= 0 and < 1, $"{path}.feedback.cut", $"must be in [0, 1), got {Distribution.F(feedback.Cut)}");
        errors.Require(feedback.MinSamples >= 1, $"{path}.feedback.minSamples", $"must be >= 1, got {feedback.MinSamples}");
    }

    /// <inheritdoc />
    protected override IRouteStage Create(MixtureSettings settings, StageServices services)
    {
        var models = services.RouteModels;
        var routers = new List<IRouter>(settings.Routers.Count);
        foreach (var member in settings.Routers)
        {
            var name = member.Name ?? member.Kind;
            routers.Add(member.Bound switch
            {
                LearnedRouterSettings learned => LearnedRouterFactory.Build(name, learned, services, models),
                CostRouterSettings cost => CostRouterFactory.Build(name, cost, services, models),
                LatencyRouterSettings latency => LatencyRouterFactory.Build(name, latency, services, models),
                _ => throw new InvalidOperationException($"Mixture member '{name}' was not validated."),
            });
        }

        var weights = settings.Weights.ToDictionary(
            c => c.Key,
            c => routers.Select(r => c.Value.TryGetValue(r.Name, out var w) ? w : 0).ToArray(),
            StringComparer.Ordinal);
        return new MixtureStage(new MixtureRouter(routers, weights, settings.Classes, settings.ConfidenceFloor, settings.Feedback));
    }
}
