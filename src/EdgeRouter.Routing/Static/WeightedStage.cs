using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;

namespace EdgeRouter.Routing.Static;

/// <summary>Settings of a <c>weighted</c> stage.</summary>
public sealed record WeightedStageSettings
{
    /// <summary>Models and their relative weights.</summary>
    public IReadOnlyList<WeightedTarget> Targets { get; set; } = [];

    /// <summary>When the drawn model fails, try the others (heaviest first) before the route's fallback.</summary>
    public bool FallbackToOthers { get; set; } = true;
}

/// <summary>One model of a weighted choice.</summary>
public sealed record WeightedTarget
{
    /// <summary>The model (<c>provider/model</c>).</summary>
    public string Model { get; set; } = "";

    /// <summary>Relative weight, &gt; 0.</summary>
    public double Weight { get; set; } = 1;
}

/// <summary>
/// Draws one model per request with probability proportional to its weight (traffic splitting, canaries, load
/// spreading across providers). Decisions are precomputed, so a request costs one random draw.
/// </summary>
public sealed class WeightedStage : IRouteStage
{
    private readonly double[] _cumulative;
    private readonly RoutingDecision[] _decisions;
    private readonly string[] _details;
    private readonly Random _random;

    /// <summary>Creates the stage.</summary>
    /// <param name="targets">Models and weights (&gt; 0).</param>
    /// <param name="fallbackToOthers">Whether a decision lists the other models after the drawn one.</param>
    /// <param name="random">Source of draws; <see cref="Random.Shared"/> when null.</param>
    public WeightedStage(IReadOnlyList<(ModelTarget Target, double Weight)> targets, bool fallbackToOthers, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfZero(targets.Count);
        _random = random ?? Random.Shared;
        _cumulative = new double[targets.Count];
        _decisions = new RoutingDecision[targets.Count];
        _details = new string[targets.Count];
        var total = targets.Sum(t => t.Weight);
        var byWeight = targets.Select((t, i) => (t.Target, t.Weight, Index: i))
            .OrderByDescending(t => t.Weight).ThenBy(t => t.Index).ToList();
        var running = 0.0;
        for (var i = 0; i < targets.Count; i++)
        {
            var (target, weight) = targets[i];
            running += weight;
            _cumulative[i] = running / total;
            List<ModelTarget> candidates = [target];
            if (fallbackToOthers)
            {
                candidates.AddRange(byWeight.Where(t => t.Index != i && t.Target != target).Select(t => t.Target).Distinct());
            }

            var share = (weight / total * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";
            _details[i] = $"drew {target.Id} ({share} of traffic)";
            _decisions[i] = new RoutingDecision(candidates, $"weighted: {_details[i]}");
        }

        _cumulative[^1] = 1.0; // guard against rounding leaving a gap at the top
    }

    /// <inheritdoc />
    public string Kind => WeightedStageFactory.KindName;

    /// <inheritdoc />
    public ValueTask<StageOutcome> InvokeAsync(RequestContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var draw = _random.NextDouble();
        var index = Array.BinarySearch(_cumulative, draw);
        index = index < 0 ? ~index : index + 1; // an exact hit on a boundary belongs to the next bucket
        index = Math.Min(index, _cumulative.Length - 1);
        context.Trace.Add(Kind, _details[index]);
        return new(StageOutcome.Decide(_decisions[index]));
    }
}

/// <summary>Factory of <c>weighted</c> stages.</summary>
public sealed class WeightedStageFactory : StageFactory<WeightedStageSettings>
{
    /// <summary>The <c>kind</c> value.</summary>
    public const string KindName = "weighted";

    /// <inheritdoc />
    public override string Kind => KindName;

    /// <inheritdoc />
    public override StageTermination Termination => StageTermination.Always;

    /// <inheritdoc />
    protected override JsonTypeInfo<WeightedStageSettings> SettingsTypeInfo => RoutingJsonContext.Default.WeightedStageSettings;

    /// <inheritdoc />
    protected override void Validate(WeightedStageSettings settings, StageBindingContext context)
    {
        if (!context.Errors.Require(settings.Targets.Count > 0, $"{context.Path}.targets", "must list at least one model"))
        {
            return;
        }

        for (var i = 0; i < settings.Targets.Count; i++)
        {
            var target = settings.Targets[i];
            var path = $"{context.Path}.targets[{i}]";
            ConfigValidator.RequireChatModel(target.Model, $"{path}.model", context.Catalog, context.Errors);
            context.Errors.Require(target.Weight > 0 && double.IsFinite(target.Weight), $"{path}.weight",
                $"must be > 0, got {target.Weight.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    /// <inheritdoc />
    protected override IRouteStage Create(WeightedStageSettings settings, StageServices services) =>
        new WeightedStage([.. settings.Targets.Select(t => (StaticStageFactory.Resolve(services.Catalog, t.Model), t.Weight))],
            settings.FallbackToOthers);
}
