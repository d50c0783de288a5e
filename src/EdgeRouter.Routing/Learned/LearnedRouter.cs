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

    /// <summary>
    /// τ: route to the strong model when the score ≥ τ; the score is P(label), or the <see cref="Combine"/>d score when
    /// set. Pick it with <c>edgerouter calibrate --strong-share</c> for a target share of strong calls.
    /// </summary>
    public double Threshold { get; set; } = 0.5;

    /// <summary>
    /// Optional logistic combiner of the head with the prompt's length: score = σ(head · logit(P(label)) + logTokens ·
    /// ln(1 + estimated tokens) + bias). Null (the default): score = P(label). Fit it with <c>edgerouter calibrate --combine</c>.
    /// </summary>
    public LearnedCombineSettings? Combine { get; set; }

    /// <summary>The weak model; default: the route's first (weakest) model.</summary>
    public string? Weak { get; set; }

    /// <summary>The strong model; default: the route's last (strongest) model.</summary>
    public string? Strong { get; set; }
}

/// <summary>
/// The strong-vs-weak router: a classifier head reads the prompt's embedding and gives p_head = P(needs strong); the
/// score is p_head, or with a <see cref="LearnedCombiner"/> σ(a · logit(p_head) + b · ln(1 + estimated tokens) + c); the
/// strong model is picked when the score ≥ τ. Its distribution puts mass s on the strong model and 1 − s on the weak
/// one, where s maps the score piecewise-linearly so that score = τ gives s = 0.5: the pick is always the more
/// probable model, and a mixture weighs how far the score is from the threshold rather than the score itself.
/// <see cref="Score"/> is the one code path the gateway's votes, <c>edgerouter eval</c> and <c>edgerouter calibrate</c>
/// share. Immutable; thread-safe (per-request state lives in <see cref="PromptFeatures"/>).
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
    /// <param name="name">Router name in votes.</param>
    /// <param name="classifier">The head.</param>
    /// <param name="encoder">The encoder whose embedding the head reads.</param>
    /// <param name="label">Index of the head's "needs the strong model" label.</param>
    /// <param name="threshold">τ, applied to the score.</param>
    /// <param name="weak">Index of the weak model among the route's models.</param>
    /// <param name="strong">Index of the strong model among the route's models.</param>
    /// <param name="combiner">The combiner; null: score = p_head.</param>
    public LearnedRouter(string name, ITextClassifier classifier, ITextEncoder encoder, int label, double threshold, int weak, int strong, LearnedCombiner? combiner = null)
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
        Combiner = combiner;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>τ.</summary>
    public double Threshold => _threshold;

    /// <summary>The combiner, or null when the score is the head's probability.</summary>
    public LearnedCombiner? Combiner { get; }

    /// <summary>
    /// Builds a router from its settings over a loaded head and encoder (the weak and strong models are route
    /// indices). Used by the gateway's factory and by <c>edgerouter eval</c> / <c>calibrate</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The head has no <see cref="LearnedRouterSettings.Label"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A combiner coefficient is not finite.</exception>
    public static LearnedRouter Create(string name, LearnedRouterSettings settings, ITextClassifier classifier, ITextEncoder encoder, int weak = 0, int strong = 1)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(classifier);
        var label = LearnedRouterFactory.IndexOfLabel(classifier, settings.Label);
        var combiner = settings.Combine is { } combine ? LearnedCombiner.From(combine) : null;
        return new LearnedRouter(name, classifier, encoder, label, settings.Threshold, weak, strong, combiner);
    }

    /// <summary>The score the router thresholds, in [0, 1]: p_head, or the combined score.</summary>
    public double Score(PromptFeatures features) => Evaluate(features).Score;

    /// <summary>p_head, the estimated tokens and the score for a prompt.</summary>
    public LearnedScore Evaluate(PromptFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);
        double p = features.Predict(_classifier, _encoder)[_label];
        var tokens = features.EstimatedTokens;
        return new LearnedScore(p, tokens, Combiner is null ? p : Combiner.Combine(p, tokens));
    }

    /// <inheritdoc />
    public RouterVote Vote(RequestContext context, PromptFeatures features, IReadOnlyList<ModelTarget> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var score = Evaluate(features);
        var s = StrongShare(score.Score, _threshold);
        var distribution = new float[models.Count];
        distribution[_weak] = (float)(1 - s);
        distribution[_strong] += (float)s;
        var strong = score.Score >= _threshold;
        var comparison = $"{(strong ? "≥" : "<")} τ={Distribution.F(_threshold)}";
        var reason = Combiner is null
            ? $"p(strong)={Distribution.F(score.HeadProbability)} {comparison}"
            : $"p(head)={Distribution.F(score.HeadProbability)} tokens={score.EstimatedTokens} score={Distribution.F(score.Score)} {comparison}";
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
        if (settings.Combine is { } combine)
        {
            foreach (var (name, value) in new[] { ("head", combine.Head), ("logTokens", combine.LogTokens), ("bias", combine.Bias) })
            {
                context.Errors.Require(double.IsFinite(value), $"{path}.combine.{name}", "must be a finite number (see edgerouter calibrate --combine)");
            }
        }

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
        var weak = settings.Weak is null ? 0 : RouterSettings.IndexOf(models, settings.Weak, services);
        var strong = settings.Strong is null ? models.Count - 1 : RouterSettings.IndexOf(models, settings.Strong, services);
        return LearnedRouter.Create(name, settings, classifier, encoder, weak, strong);
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
