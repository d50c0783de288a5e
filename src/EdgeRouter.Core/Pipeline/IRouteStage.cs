namespace EdgeRouter.Pipeline;

/// <summary>
/// One step of a route's pipeline. A stage reads the <see cref="RequestContext"/> and returns
/// <see cref="StageOutcome.Continue"/> (pass to the next stage, possibly after annotating the context),
/// a decision (the ordered models to dispatch to) or a finished response (the pipeline ends there).
/// </summary>
/// <remarks>
/// Stages are created once per configuration snapshot and shared by every request that uses the route, so they
/// must be thread-safe; per-request state belongs in the context. A stage that completes synchronously should
/// return a completed <see cref="ValueTask{TResult}"/> so the pipeline stays allocation-free.
/// </remarks>
public interface IRouteStage
{
    /// <summary>The stage kind as written in configuration, e.g. <c>weighted</c>.</summary>
    string Kind { get; }

    /// <summary>Runs the stage for one request.</summary>
    /// <param name="context">The request being routed.</param>
    /// <param name="cancellationToken">Signalled when the client goes away or the gateway shuts down.</param>
    ValueTask<StageOutcome> InvokeAsync(RequestContext context, CancellationToken cancellationToken);
}
