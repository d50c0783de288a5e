using EdgeRouter.Pipeline;

namespace EdgeRouter.Routing.Routers;

/// <summary>
/// Runs one <see cref="IRouter"/> as a pipeline stage: records its vote in <see cref="RequestContext.Routing"/> and
/// continues, so a later strategy stage dispatches by it. When a rule or a sticky conversation already pinned the
/// model, the router is skipped (its work could not change the outcome).
/// </summary>
public sealed class RouterStage : IRouteStage
{
    private readonly IRouter _router;

    /// <summary>Wraps <paramref name="router"/> as a stage of kind <paramref name="kind"/>.</summary>
    public RouterStage(string kind, IRouter router)
    {
        ArgumentNullException.ThrowIfNull(router);
        Kind = kind;
        _router = router;
    }

    /// <inheritdoc />
    public string Kind { get; }

    /// <inheritdoc />
    public ValueTask<StageOutcome> InvokeAsync(RequestContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.SkippedForPin(Kind))
        {
            return new(StageOutcome.Continue);
        }

        var routing = context.Routing;

        var vote = _router.Vote(context, PromptFeatures.Of(context), routing.Models);
        routing.Record(vote);
        context.Trace.Add(Kind, $"{routing.Models[vote.Choice].Id}: {vote.Reason}");
        return new(StageOutcome.Continue);
    }
}
