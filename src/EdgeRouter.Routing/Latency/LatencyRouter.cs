using System.Text.Json.Serialization.Metadata;
using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;
using EdgeRouter.Pipeline.Routing;
using EdgeRouter.Routing.Routers;

namespace EdgeRouter.Routing.Latency;

/// <summary>Settings of a <c>latency</c> router.</summary>
public sealed record LatencyRouterSettings
{
    /// <summary>What to minimise: <c>firstByte</c> (time to first token, for voice and chat) or <c>total</c>.</summary>
    public string Metric { get; set; } = "firstByte";

    /// <summary>Assumed latency (ms) of a model that has not answered yet, per route model id.</summary>
    public IReadOnlyDictionary<string, double> PriorMs { get; set; } = new Dictionary<string, double>();

    /// <summary>Assumed latency (ms) of models without a prior that have not answered yet.</summary>
    public double DefaultPriorMs { get; set; } = 1000;

    /// <summary>
    /// How sharply the distribution prefers the fastest model: P(m) ∝ exp(−(L_m / L_fastest − 1) / spread). At the
    /// default 0.25 a model 25% slower than the fastest gets e⁻¹ of its mass.
    /// </summary>
    public double Spread { get; set; } = 0.25;
}

/// <summary>
/// Prefers the model answering fastest now: live per-model latency (smoothed over recent answers, see
/// <see cref="ModelLatencies"/>), with configured priors until a model has answered.
/// </summary>
public sealed class LatencyRouter : IRouter
{
    private readonly ModelLatencies? _latencies;
    private readonly bool _firstByte;
    private readonly double[] _priorMs;
    private readonly double _spread;

    /// <summary>Creates the router; <paramref name="priorMs"/> has one prior per route model.</summary>
    public LatencyRouter(string name, ModelLatencies? latencies, bool firstByte, IReadOnlyList<double> priorMs, double spread)
    {
        ArgumentNullException.ThrowIfNull(priorMs);
        Name = name;
        _latencies = latencies;
        _firstByte = firstByte;
        _priorMs = [.. priorMs];
        _spread = spread;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public RouterVote Vote(RequestContext context, PromptFeatures features, IReadOnlyList<ModelTarget> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var n = models.Count;
        Span<double> latency = stackalloc double[n];
        var fastest = 0;
        for (var i = 0; i < n; i++)
        {
            latency[i] = _latencies is not null && _latencies.TryGet(models[i].Id, out var estimate)
                ? (_firstByte ? estimate.FirstByteMs : estimate.TotalMs)
                : _priorMs[i];
            latency[i] = Math.Max(latency[i], 0.001);
            if (latency[i] < latency[fastest])
            {
                fastest = i;
            }
        }

        var distribution = new float[n];
        for (var i = 0; i < n; i++)
        {
            distribution[i] = (float)Math.Exp(-((latency[i] / latency[fastest]) - 1) / _spread);
        }

        Distribution.Normalize(distribution);
        var reason = $"fastest {(_firstByte ? "first byte" : "total")}: {models[fastest].Id} {Distribution.F(latency[fastest])} ms";
        return new RouterVote(Name, distribution, fastest, reason);
    }
}

/// <summary>Factory of <c>latency</c> router stages.</summary>
public sealed class LatencyRouterFactory : StageFactory<LatencyRouterSettings>
{
    /// <summary>The <c>kind</c> value.</summary>
    public const string KindName = "latency";

    /// <inheritdoc />
    public override string Kind => KindName;

    /// <inheritdoc />
    public override StageTermination Termination => StageTermination.Never;

    /// <inheritdoc />
    public override StageRole Role => StageRole.Router;

    /// <inheritdoc />
    protected override JsonTypeInfo<LatencyRouterSettings> SettingsTypeInfo => RoutingJsonContext.Default.LatencyRouterSettings;

    /// <inheritdoc />
    protected override void Validate(LatencyRouterSettings settings, StageBindingContext context) => ValidateSettings(settings, context.Path, context);

    internal static void ValidateSettings(LatencyRouterSettings settings, string path, StageBindingContext context)
    {
        context.Errors.Require(settings.Metric is "firstByte" or "total", $"{path}.metric", $"must be 'firstByte' or 'total', got '{settings.Metric}'");
        context.Errors.Require(settings.DefaultPriorMs > 0 && double.IsFinite(settings.DefaultPriorMs), $"{path}.defaultPriorMs",
            $"must be > 0, got {Distribution.F(settings.DefaultPriorMs)}");
        context.Errors.Require(settings.Spread > 0 && double.IsFinite(settings.Spread), $"{path}.spread", $"must be > 0, got {Distribution.F(settings.Spread)}");
        RouterSettings.RequireRouteModels(context, path, 1);
        foreach (var (id, prior) in settings.PriorMs)
        {
            RouterSettings.RequireRouteModel(id, $"{path}.priorMs.{id}", context);
            context.Errors.Require(prior > 0 && double.IsFinite(prior), $"{path}.priorMs.{id}", $"must be > 0, got {Distribution.F(prior)}");
        }
    }

    /// <inheritdoc />
    protected override IRouteStage Create(LatencyRouterSettings settings, StageServices services) =>
        new RouterStage(KindName, Build(KindName, settings, services, services.RouteModels));

    internal static LatencyRouter Build(string name, LatencyRouterSettings settings, StageServices services, IReadOnlyList<ModelTarget> models)
    {
        var priors = models.Select(m => settings.DefaultPriorMs).ToArray();
        foreach (var (id, prior) in settings.PriorMs)
        {
            priors[RouterSettings.IndexOf(models, id, services)] = prior;
        }

        return new LatencyRouter(name, services.Get<ModelLatencies>(), settings.Metric == "firstByte", priors, settings.Spread);
    }
}
