using EdgeRouter.Dispatch.Strategies;
using EdgeRouter.Pipeline.Routing;

namespace EdgeRouter.Dispatch.Verification;

/// <summary>
/// Checks one upstream answer and says whether it is acceptable, with a reason. Verifiers are built once per config
/// snapshot and shared by every request: they must be thread-safe (the two answers of a race are checked at the
/// same time). A verifier that makes upstream calls (a judge, a second sample) adds their cost to
/// <c>context.Request.Routing.AddExtraCost</c>.
/// </summary>
public interface IAnswerVerifier
{
    /// <summary>The verifier's name as configured and as it appears in verdicts: <c>json</c>, <c>refusal</c>, <c>consistency</c>, <c>judge</c>.</summary>
    string Name { get; }

    /// <summary>Checks <paramref name="answer"/>, a successful completion of the request in <paramref name="context"/>.</summary>
    /// <param name="context">The request and what verifiers may use to call upstreams.</param>
    /// <param name="answer">The answer to check (<see cref="Completion.Succeeded"/> is true).</param>
    /// <param name="cancellationToken">Fires when the answer is no longer needed (a lost race, a client disconnect).</param>
    ValueTask<VerifierVerdict> VerifyAsync(VerificationContext context, Completion answer, CancellationToken cancellationToken);
}
