using System.Text.Json.Serialization.Metadata;
using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;
using EdgeRouter.Pipeline.Routing;
using EdgeRouter.Routing.Routers;

namespace EdgeRouter.Routing.Learned;

/// <summary>Settings of a <c>learned</c> router (RouteLLM-style strong-vs-weak).</summary>
public sealed record LearnedRouterSettings
{
    /// <summary>The classifier head (under <c>inference.classifiers</c>) that predicts whether the strong model is needed.</summary>
    public string Classifier { get; set; } = "router";

    /// <summary>The head's label meaning "needs the strong model".</summary>
    public string Label { get; set; } = "needs_strong";

    /// <summary>τ: route to the strong model when P(label) ≥ τ. Pick it with <c>edgerouter calibrate</c> for a target share of strong calls.</summary>
    public double Threshold { get; set; } = 0.5;

    /// <summary>The weak model; default: the route's first (weakest) model.</summary>
    public string? Weak { get; set; }

    /// <summary>The strong model; default: the route's last (strongest) model.</summary>
    public string? Strong { get; set; }
}

/// <summary>
/// The strong-vs-weak router: a classifier head reads the prompt's embedding and gives p = P(needs strong); the
/// strong model is picked when p ≥ τ. Its distribution puts mass s on the strong model and 1 − s on the weak one,
/// where s maps p piecewise-linearly so that p = τ gives s = 0.5: the pick is always the more probable model, and a
/// mixture weighs how far p is from the threshold rather than p itself.
/// </summary>
public sealed class LearnedRouter : IRouter
{
    private readonly ITextClassifier _classifier;
    private readonly ITextEncoder _encoder;
    private readonly int _label;
    private readonly double _threshold;
    private readonly int _weak;
    private readonly int _strong;

    /// <summary>Creates the router.</summary>
    public LearnedRouter(string name, ITextClassifier classifier, ITextEncoder encoder, int label, double threshold, int weak, int strong)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(encoder);
        Name = name;
        _classifier = classifier;
        _encoder = encoder;
        _label = label;
        _threshold = threshold;
        _weak = weak;
        _strong = strong;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>P(needs strong) for a prompt: what the router thresholds (used by evaluation and calibration too).</summary>
    public double Score(PromptFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);
        return features.Predict(_classifier, _encoder)[_label];
    }

    /// <inheritdoc />
    public RouterVote Vote(RequestContext context, PromptFeatures features, IReadOnlyList<ModelTarget> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var p = Score(features);
        var s = StrongShare(p, _threshold);
        var distribution = new float[models.Count];
        distribution[_weak] = (float)(1 - s);
        distribution[_strong] += (float)s;
        var strong = p >= _threshold;
        var reason = $"p(strong)={Distribution.F(p)} {(strong ? "≥" : "<")} τ={Distribution.F(_threshold)}";
        return new RouterVote(Name, distribution, strong ? _strong : _weak, reason);
    }

    /// <summary>Maps p to the strong model's share so that p = τ gives 0.5, p = 0 gives 0 and p = 1 gives 1.</summary>
    public static double StrongShare(double p, double threshold)
    {
        p = Math.Clamp(p, 0, 1);
        if (threshold <= 0)
        {
            return 1;
        }

        if (threshold >= 1)
        {
            return p >= 1 ? 1 : 0.5 * p;
        }

        return p < threshold ? 0.5 * p / threshold : 0.5 + (0.5 * (p - threshold) / (1 - threshold));
    }
}

/// <summary>Factory of <c>learned</c> router stages.</summary>
public sealed class LearnedRouterFactory : StageFactory<LearnedRouterSettings>
{
    /// <summary>The <c>kind</c> value.</summary>
    public const string KindName = "learned";

    /// <inheritdoc />
    public override string Kind => KindName;

    /// <inheritdoc />
    public override StageTermination Termination => StageTermination.Never;

    /// <inheritdoc />
    public override StageRole Role => StageRole.Router;

    /// <inheritdoc />
    protected override JsonTypeInfo<LearnedRouterSettings> SettingsTypeInfo => RoutingJsonContext.Default.LearnedRouterSettings;

    /// <inheritdoc />
    protected override void Validate(LearnedRouterSettings settings, StageBindingContext context) => ValidateSettings(settings, context.Path, context);

    /// <summary>Checks the settings of a learned router written at <paramref name="path"/> (a stage or a mixture member).</summary>
    internal static void ValidateSettings(LearnedRouterSettings settings, string path, StageBindingContext context)
    {
        RouterSettings.RequireClassifier(settings.Classifier, $"{path}.classifier", context);
        context.Errors.Require(settings.Label.Length > 0, $"{path}.label", "must name the head's label for 'needs the strong model'");
        context.Errors.Require(settings.Threshold is >= 0 and <= 1, $"{path}.threshold", $"must be in [0, 1], got {Distribution.F(settings.Threshold)}");
        RouterSettings.RequireRouteModels(context, path, 2);
        RouterSettings.RequireRouteModel(settings.Weak, $"{path}.weak", context);
        RouterSettings.RequireRouteModel(settings.Strong, $"{path}.strong", context);
    }

    /// <inheritdoc />
    protected override IRouteStage Create(LearnedRouterSettings settings, StageServices services) =>
        new RouterStage(KindName, Build(KindName, settings, services, RouterSettings.RouteModelsOf(services)));

    /// <summary>Builds the router over <paramref name="models"/>; throws when the head lacks the label (a model problem, reported at startup).</summary>
    public static LearnedRouter Build(string name, LearnedRouterSettings settings, StageServices services, IReadOnlyList<ModelTarget> models)
    {
        var (classifier, encoder) = RouterSettings.ResolveClassifier(settings.Classifier, services);
        var label = IndexOfLabel(classifier, settings.Label);
        var weak = settings.Weak is null ? 0 : RouterSettings.IndexOf(models, settings.Weak, services);
        var strong = settings.Strong is null ? models.Count - 1 : RouterSettings.IndexOf(models, settings.Strong, services);
        return new LearnedRouter(name, classifier, encoder, label, settings.Threshold, weak, strong);
    }

    internal static int IndexOfLabel(ITextClassifier classifier, string label)
    {
        for (var i = 0; i < classifier.Labels.Count; i++)
        {
            if (classifier.Labels[i] == label)
            {
                return i;
            }
        }

        throw new InvalidOperationException(
            $"Classifier '{classifier.Name}' has no label '{label}'; its labels are: {string.Join(", ", classifier.Labels)}.");
    }
}
