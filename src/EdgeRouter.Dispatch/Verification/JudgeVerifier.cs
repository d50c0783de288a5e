using System.Globalization;
using EdgeRouter.Configuration;
using EdgeRouter.Dispatch.Forwarding;
using EdgeRouter.Dispatch.Strategies;
using EdgeRouter.Pipeline.Routing;
using EdgeRouter.Protocol;

namespace EdgeRouter.Dispatch.Verification;

/// <summary>
/// LLM-as-judge: sends the question and the answer to a configured judge model with a rubric (see
/// <see cref="JudgePrompt"/>), reads its 1–10 score (see <see cref="JudgeScore"/>) and passes answers scoring at
/// least the configured minimum. The judge call is a buffered call through the completer; its cost is extra cost.
/// A judge that fails or replies without a score fails the answer unless configured to pass it. Thread-safe.
/// </summary>
public sealed class JudgeVerifier : IAnswerVerifier
{
    /// <summary>The configured name.</summary>
    public const string KindName = "judge";

    /// <summary>The passing score when none is configured.</summary>
    public const double DefaultMinScore = 7;

    private readonly ModelTarget _judge;
    private readonly double _minScore;
    private readonly string? _rubric;
    private readonly bool _passOnError;

    /// <summary>Creates the verifier.</summary>
    /// <param name="judge">The judge model.</param>
    /// <param name="minScore">The lowest passing score, in [1, 10].</param>
    /// <param name="rubric">What the judge checks; <see cref="JudgePrompt.DefaultRubric"/> when null.</param>
    /// <param name="passOnError">What an answer gets when the judge fails or gives no score: true passes it.</param>
    public JudgeVerifier(ModelTarget judge, double minScore = DefaultMinScore, string? rubric = null, bool passOnError = false)
    {
        ArgumentNullException.ThrowIfNull(judge);
        _judge = judge;
        _minScore = minScore;
        _rubric = rubric;
        _passOnError = passOnError;
    }

    /// <inheritdoc />
    public string Name => KindName;

    /// <inheritdoc />
    public async ValueTask<VerifierVerdict> VerifyAsync(VerificationContext context, Completion answer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(answer);
        var body = JudgePrompt.Build(_rubric, context.LastUserText, answer.Text);
        var chat = ChatRequestParser.Parse(body, out var error)
            ?? throw new InvalidOperationException("The judge prompt is not a valid chat request: " + error?.Message);
        var verdict = await context.CompleteAsync(chat, _judge, cancellationToken).ConfigureAwait(false);
        context.Request.Routing.AddExtraCost(verdict.CostUsd);
        if (!verdict.Succeeded)
        {
            return new(Name, answer.Model.Id, _passOnError, $"judge {_judge.Id} failed ({verdict.Outcome.ToLabel()})");
        }

        if (JudgeScore.Parse(verdict.Content) is not { } score)
        {
            var reply = verdict.Content ?? "";
            return new(Name, answer.Model.Id, _passOnError, $"judge reply has no score: '{(reply.Length > 40 ? reply[..37] + "..." : reply)}'");
        }

        var shown = score.ToString(CultureInfo.InvariantCulture);
        var min = _minScore.ToString(CultureInfo.InvariantCulture);
        return score >= _minScore
            ? new(Name, answer.Model.Id, true, $"judge score {shown} >= {min}")
            : new(Name, answer.Model.Id, false, $"judge score {shown} < {min}");
    }
}
