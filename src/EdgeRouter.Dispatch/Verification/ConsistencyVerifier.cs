using EdgeRouter.Dispatch.Forwarding;
using EdgeRouter.Dispatch.Strategies;
using EdgeRouter.Pipeline.Routing;

namespace EdgeRouter.Dispatch.Verification;

/// <summary>
/// Self-consistency: asks the same model the same request again (a buffered call through the completer) and passes
/// the answer when the two samples agree (see <see cref="AnswerAgreement"/>). Disagreement means the model is unsure,
/// which is worth escalating for short-answer tasks (a number, an option letter, a name); long free-form answers
/// rarely agree word for word, so use it where answers are short. The second sample's cost is extra cost; the first
/// is the answer's own. Thread-safe.
/// </summary>
public sealed class ConsistencyVerifier : IAnswerVerifier
{
    /// <summary>The configured name.</summary>
    public const string KindName = "consistency";

    private readonly int _shortAnswerWords;
    private readonly bool _passOnError;

    /// <summary>Creates the verifier.</summary>
    /// <param name="shortAnswerWords">Answers up to this many words are compared by their final answer.</param>
    /// <param name="passOnError">What an answer gets when the second sample fails upstream: true passes it, false fails it.</param>
    public ConsistencyVerifier(int shortAnswerWords = AnswerAgreement.DefaultShortAnswerWords, bool passOnError = false)
    {
        _shortAnswerWords = shortAnswerWords;
        _passOnError = passOnError;
    }

    /// <inheritdoc />
    public string Name => KindName;

    /// <inheritdoc />
    public async ValueTask<VerifierVerdict> VerifyAsync(VerificationContext context, Completion answer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(answer);
        var second = await context.CompleteAsync(context.Request.Request, answer.Model, cancellationToken).ConfigureAwait(false);
        context.Request.Routing.AddExtraCost(second.CostUsd);
        if (!second.Succeeded)
        {
            return new(Name, answer.Model.Id, _passOnError, $"second sample failed ({second.Outcome.ToLabel()})");
        }

        var (agree, reason) = AnswerAgreement.Compare(answer.Text, second.Text, _shortAnswerWords);
        return new(Name, answer.Model.Id, agree, reason);
    }
}
