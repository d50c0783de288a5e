namespace EdgeRouter.Pipeline;

/// <summary>
/// Stands in for a stage whose in-process model is still loading: it records why it was skipped and lets the request
/// continue, so the route still answers (a strategy without a router's choice takes the route's models weakest
/// first). Replaced when the gateway swaps in the snapshot built with the loaded models. Stateless; thread-safe.
/// </summary>
/// <param name="kind">The kind of the stage it stands in for.</param>
/// <param name="model">The model being loaded.</param>
public sealed class WarmingStage(string kind, string model) : IRouteStage
{
    private readonly string _verdict = $"skipped; reason=warming ({model} loading)";

    /// <inheritdoc />
    public string Kind { get; } = kind;

    /// <summary>The model being loaded.</summary>
    public string Model { get; } = model;

    /// <inheritdoc />
    public ValueTask<StageOutcome> InvokeAsync(RequestContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Trace.Add(Kind, _verdict);
        return new(StageOutcome.Continue);
    }
}
