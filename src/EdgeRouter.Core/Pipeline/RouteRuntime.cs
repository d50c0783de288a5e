using EdgeRouter.Configuration;

namespace EdgeRouter.Pipeline;

/// <summary>
/// A route ready to serve: its stages built from configuration and the fallback models appended to every
/// decision. Immutable and shared by all requests of one configuration snapshot.
/// </summary>
public sealed class RouteRuntime
{
    private readonly IRouteStage[] _stages;
    private readonly ModelTarget[] _fallback;

    /// <summary>Creates a route.</summary>
    /// <param name="name">Route name, or the concrete model id for implicit routes.</param>
    /// <param name="description">Shown in the model list.</param>
    /// <param name="stages">The pipeline; must end with a stage that always decides or responds.</param>
    /// <param name="fallback">Models tried after every candidate of a decision has failed.</param>
    /// <param name="isImplicit">True for the one-stage route that serves a concrete <c>provider/model</c> id.</param>
    /// <param name="models">The candidate models the route's routers choose among, weakest first.</param>
    public RouteRuntime(string name, string? description, IReadOnlyList<IRouteStage> stages, IReadOnlyList<ModelTarget> fallback, bool isImplicit,
        IReadOnlyList<ModelTarget>? models = null)
    {
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(fallback);
        Name = name;
        Description = description;
        IsImplicit = isImplicit;
        _stages = [.. stages];
        _fallback = [.. fallback];
        Models = models ?? [];
    }

    /// <summary>The candidate models the route's routers choose among, weakest (cheapest) first.</summary>
    public IReadOnlyList<ModelTarget> Models { get; }

    /// <summary>Route name (or concrete model id for implicit routes).</summary>
    public string Name { get; }

    /// <summary>Human description, if configured.</summary>
    public string? Description { get; }

    /// <summary>True for the implicit route of a concrete model.</summary>
    public bool IsImplicit { get; }

    /// <summary>The stages in order.</summary>
    public IReadOnlyList<IRouteStage> Stages => _stages;

    /// <summary>
    /// Runs the stages in order until one decides or responds. Stages that complete synchronously cost no
    /// allocation. Returns <see cref="StageOutcome.Continue"/> only if every stage continued, which validation
    /// rules out for configured routes.
    /// </summary>
    public ValueTask<StageOutcome> RunAsync(RequestContext context, CancellationToken cancellationToken)
    {
        for (var i = 0; i < _stages.Length; i++)
        {
            var pending = _stages[i].InvokeAsync(context, cancellationToken);
            if (!pending.IsCompletedSuccessfully)
            {
                return Awaited(pending, i, context, cancellationToken);
            }

            var outcome = pending.Result;
            if (outcome.Kind != StageOutcomeKind.Continue)
            {
                return new(outcome);
            }
        }

        return new(StageOutcome.Continue);
    }

    /// <summary>The decision's candidates followed by the route's fallback models not already among them.</summary>
    public IReadOnlyList<ModelTarget> Candidates(RoutingDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (_fallback.Length == 0)
        {
            return decision.Candidates;
        }

        var merged = new List<ModelTarget>(decision.Candidates.Count + _fallback.Length);
        merged.AddRange(decision.Candidates);
        foreach (var model in _fallback)
        {
            if (!merged.Contains(model))
            {
                merged.Add(model);
            }
        }

        return merged;
    }

    private async ValueTask<StageOutcome> Awaited(ValueTask<StageOutcome> pending, int index, RequestContext context, CancellationToken cancellationToken)
    {
        var outcome = await pending.ConfigureAwait(false);
        for (var i = index + 1; outcome.Kind == StageOutcomeKind.Continue && i < _stages.Length; i++)
        {
            outcome = await _stages[i].InvokeAsync(context, cancellationToken).ConfigureAwait(false);
        }

        return outcome;
    }
}
