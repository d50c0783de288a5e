using System.Text.Json.Serialization.Metadata;
using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;
using EdgeRouter.Pipeline.Routing;
using EdgeRouter.Routing.Learned;
using EdgeRouter.Routing.Routers;

namespace EdgeRouter.Routing.Cost;

/// <summary>Settings of a <c>cost</c> router.</summary>
public sealed record CostRouterSettings
{
    /// <summary>
    /// The head whose P(<see cref="Label"/>) feeds each model's quality calibration; null when every model's quality
    /// is a constant (slopes of 0).
    /// </summary>
    public string? Classifier { get; set; } = "router";

    /// <summary>The head's label the calibration reads (P(needs strong) for the shipped router head).</summary>
    public string Label { get; set; } = "needs_strong";

    /// <summary>The predicted quality (probability of an acceptable answer) a model must reach, in [0, 1].</summary>
    public double QualityFloor { get; set; } = 0.7;

    /// <summary>Answer length assumed for pricing when the request sets no <c>max_tokens</c>.</summary>
    public int ExpectedOutputTokens { get; set; } = 256;

    /// <summary>
    /// How soft the floor is in the router's distribution: a model's chance of clearing it is
    /// σ((quality − floor) / softness). The pick itself uses the hard floor.
    /// </summary>
    public double Softness { get; set; } = 0.02;

    /// <summary>Per route model: quality = σ(intercept + slope · p), fitted by <c>edgerouter calibrate --quality</c>.</summary>
    public IReadOnlyDictionary<string, QualityCalibration> Quality { get; set; } = new Dictionary<string, QualityCalibration>();
}

/// <summary>A model's predicted quality as a logistic function of the head's probability.</summary>
public sealed record QualityCalibration
{
    /// <summary>Logit of the quality at p = 0.</summary>
    public double Intercept { get; set; }

    /// <summary>Change of the logit per unit of p.</summary>
    public double Slope { get; set; }

    /// <summary>σ(intercept + slope · p).</summary>
    public double Predict(double p) => 1 / (1 + Math.Exp(-(Intercept + (Slope * p))));
}

/// <summary>
/// Cost-aware choice among N models: predicts each model's quality for the prompt (a head's probability through a
/// per-model logistic calibration), prices the call from the price table (estimated prompt tokens, the request's
/// <c>max_tokens</c> or an expected answer length) and picks the cheapest model whose predicted quality clears the
/// floor (the most accurate one when none does). Its distribution is each model's probability of being the cheapest
/// one that clears a softened floor, so near the floor the mass spreads to the next model up.
/// </summary>
public sealed class CostRouter : IRouter
{
    private readonly ITextClassifier? _classifier;
    private readonly ITextEncoder? _encoder;
    private readonly int _label;
    private readonly QualityCalibration[] _quality;
    private readonly double _floor;
    private readonly double _softness;
    private readonly int _expectedOutputTokens;

    /// <summary>Creates the router; <paramref name="quality"/> holds one calibration per route model.</summary>
    public CostRouter(string name, ITextClassifier? classifier, ITextEncoder? encoder, int label, IReadOnlyList<QualityCalibration> quality,
        double floor, double softness, int expectedOutputTokens)
    {
        ArgumentNullException.ThrowIfNull(quality);
        Name = name;
        _classifier = classifier;
        _encoder = encoder;
        _label = label;
        _quality = [.. quality];
        _floor = floor;
        _softness = softness;
        _expectedOutputTokens = expectedOutputTokens;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public RouterVote Vote(RequestContext context, PromptFeatures features, IReadOnlyList<ModelTarget> models)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(models);
        var p = _classifier is null ? 0 : features.Predict(_classifier, _encoder!)[_label];
        var outputTokens = context?.Request.MaxTokens is { } max && max > 0 && max < _expectedOutputTokens ? (int)max : _expectedOutputTokens;
        return Decide(p, features.EstimatedTokens, outputTokens, models);
    }

    /// <summary>The vote for head probability <paramref name="p"/> and the given token counts.</summary>
    public RouterVote Decide(double p, int promptTokens, int outputTokens, IReadOnlyList<ModelTarget> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var n = models.Count;
        var quality = new double[n];
        var cost = new decimal[n];
        for (var i = 0; i < n; i++)
        {
            quality[i] = _quality[i].Predict(p);
            cost[i] = models[i].Cost(promptTokens, outputTokens);
        }

        // Cheapest first; equal prices keep the route's order (weakest first).
        var byCost = Enumerable.Range(0, n).OrderBy(i => cost[i]).ThenBy(i => i).ToArray();
        var pick = -1;
        foreach (var i in byCost)
        {
            if (quality[i] >= _floor)
            {
                pick = i;
                break;
            }
        }

        var best = 0;
        for (var i = 1; i < n; i++)
        {
            if (quality[i] > quality[best] || (quality[i] == quality[best] && cost[i] < cost[best]))
            {
                best = i;
            }
        }

        var distribution = new float[n];
        var noneYet = 1.0;
        foreach (var i in byCost)
        {
            var clears = 1 / (1 + Math.Exp(-(quality[i] - _floor) / _softness));
            distribution[i] = (float)(noneYet * clears);
            noneYet *= 1 - clears;
        }

        distribution[best] += (float)noneYet;
        string reason;
        if (pick >= 0)
        {
            reason = $"cheapest with quality ≥ {Distribution.F(_floor)}: {models[pick].Id} q={Distribution.F(quality[pick])} ${Distribution.F((double)cost[pick] * 1000)}/1k req";
        }
        else
        {
            pick = best;
            reason = $"no model reaches {Distribution.F(_floor)}; most accurate {models[best].Id} q={Distribution.F(quality[best])}";
        }

        return new RouterVote(Name, distribution, pick, reason + (_classifier is null ? "" : $" (p={Distribution.F(p)})"));
    }
}

/// <summary>Factory of <c>cost</c> router stages.</summary>
public sealed class CostRouterFactory : StageFactory<CostRouterSettings>
{
    /// <summary>The <c>kind</c> value.</summary>
    public const string KindName = "cost";

    /// <inheritdoc />
    public override string Kind => KindName;

    /// <inheritdoc />
    public override StageTermination Termination => StageTermination.Never;

    /// <inheritdoc />
    public override StageRole Role => StageRole.Router;

    /// <inheritdoc />
    protected override JsonTypeInfo<CostRouterSettings> SettingsTypeInfo => RoutingJsonContext.Default.CostRouterSettings;

    /// <inheritdoc />
    protected override void Validate(CostRouterSettings settings, StageBindingContext context) => ValidateSettings(settings, context.Path, context);

    internal static void ValidateSettings(CostRouterSettings settings, string path, StageBindingContext context)
    {
        if (settings.Classifier is { } classifier)
        {
            RouterSettings.RequireClassifier(classifier, $"{path}.classifier", context);
        }

        context.Errors.Require(settings.QualityFloor is >= 0 and <= 1, $"{path}.qualityFloor", $"must be in [0, 1], got {Distribution.F(settings.QualityFloor)}");
        context.Errors.Require(settings.ExpectedOutputTokens > 0, $"{path}.expectedOutputTokens", $"must be > 0, got {settings.ExpectedOutputTokens}");
        context.Errors.Require(settings.Softness > 0 && double.IsFinite(settings.Softness), $"{path}.softness", $"must be > 0, got {Distribution.F(settings.Softness)}");
        if (!RouterSettings.RequireRouteModels(context, path, 1))
        {
            return;
        }

        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (id, calibration) in settings.Quality)
        {
            var modelPath = $"{path}.quality.{id}";
            if (RouterSettings.RequireRouteModel(id, modelPath, context) && context.Catalog.TryResolve(id, out var target))
            {
                covered.Add(target.Id);
            }

            context.Errors.Require(double.IsFinite(calibration.Intercept) && double.IsFinite(calibration.Slope), modelPath,
                "intercept and slope must be finite numbers");
        }

        foreach (var model in context.Models.Where(m => !covered.Contains(m.Id)))
        {
            context.Errors.Add($"{path}.quality", $"has no calibration for route model '{model.Id}' (add {{\"intercept\": …, \"slope\": …}}; see edgerouter calibrate --quality)");
        }
    }

    /// <inheritdoc />
    protected override IRouteStage Create(CostRouterSettings settings, StageServices services) =>
        new RouterStage(KindName, Build(KindName, settings, services, services.RouteModels));

    internal static CostRouter Build(string name, CostRouterSettings settings, StageServices services, IReadOnlyList<ModelTarget> models)
    {
        ITextClassifier? classifier = null;
        ITextEncoder? encoder = null;
        var label = 0;
        if (settings.Classifier is { } head)
        {
            (classifier, encoder) = RouterSettings.ResolveClassifier(head, services);
            label = LearnedRouterFactory.IndexOfLabel(classifier, settings.Label);
        }

        var quality = new QualityCalibration[models.Count];
        foreach (var (id, calibration) in settings.Quality)
        {
            quality[RouterSettings.IndexOf(models, id, services)] = calibration;
        }

        return new CostRouter(name, classifier, encoder, label, quality, settings.QualityFloor, settings.Softness, settings.ExpectedOutputTokens);
    }
}
