using EdgeRouter.Dispatch.Strategies;
using EdgeRouter.Pipeline.Routing;

namespace EdgeRouter.Dispatch.Verification;

/// <summary>How an answer fared against a <see cref="VerifierChain"/>.</summary>
/// <param name="Passed">True when every verifier accepted the answer.</param>
/// <param name="Failure">The first verdict that failed it.</param>
/// <param name="Canceled">True when the check was abandoned (the answer is no longer needed); no verdict counts then.</param>
public readonly record struct ChainResult(bool Passed, VerifierVerdict? Failure, bool Canceled)
{
    /// <summary>Why the answer failed, e.g. <c>refusal: finish_reason=length</c>; empty when it passed.</summary>
    public string Reason => Failure is { } failure ? $"{failure.Verifier}: {failure.Reason}" : "";
}

/// <summary>
/// An ordered list of verifiers: each verdict is recorded on the request's routing state and the first failure
/// fails the answer (later verifiers, which may cost an upstream call, do not run). Immutable and thread-safe.
/// </summary>
public sealed class VerifierChain
{
    /// <summary>Creates the chain.</summary>
    public VerifierChain(IReadOnlyList<IAnswerVerifier> verifiers)
    {
        ArgumentNullException.ThrowIfNull(verifiers);
        Verifiers = verifiers;
    }

    /// <summary>The verifiers in the order they run.</summary>
    public IReadOnlyList<IAnswerVerifier> Verifiers { get; }

    /// <summary>Runs the verifiers on <paramref name="answer"/> until one fails.</summary>
    public async ValueTask<ChainResult> VerifyAsync(VerificationContext context, Completion answer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(answer);
        foreach (var verifier in Verifiers)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return new ChainResult(false, null, true);
            }

            var verdict = await verifier.VerifyAsync(context, answer, cancellationToken).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                // A verifier cut short says nothing about the answer.
                return new ChainResult(false, null, true);
            }

            context.Request.Routing.AddVerdict(verdict);
            if (!verdict.Passed)
            {
                return new ChainResult(false, verdict, false);
            }
        }

        return new ChainResult(true, null, false);
    }
}
