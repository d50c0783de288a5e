using EdgeRouter.Dispatch.Strategies;
using EdgeRouter.Pipeline.Routing;

namespace EdgeRouter.Dispatch.Verification;

/// <summary>
/// Fails answers that are not really answers: a <c>refusal</c> field, <c>finish_reason</c> <c>content_filter</c> or
/// <c>length</c> (truncated), empty content without tool calls, or a refusal phrase ("I can't help with that",
/// "I'm sorry, but I cannot", …) within the first 200 characters. Phrases match case-insensitively with typographic
/// apostrophes folded to <c>'</c>. Thread-safe.
/// </summary>
public sealed class RefusalVerifier : IAnswerVerifier
{
    /// <summary>The configured name.</summary>
    public const string KindName = "refusal";

    /// <summary>How far into the answer a refusal phrase counts: a refusal comes first; a later "I can't" is usually a caveat.</summary>
    public const int PhraseWindow = 200;

    /// <summary>The built-in refusal phrases (lower case).</summary>
    public static readonly IReadOnlyList<string> DefaultPhrases =
    [
        "i can't help with that", "i cannot help with that", "i can't help with this", "i cannot help with this",
        "i can't assist with that", "i cannot assist with that", "i can't assist with this", "i cannot assist with this",
        "i'm sorry, but i can't", "i'm sorry, but i cannot", "i am sorry, but i cannot", "i am sorry, but i can't",
        "sorry, i can't", "sorry, i cannot", "i'm unable to help", "i am unable to help", "i'm not able to help",
        "i won't be able to help", "i can't comply", "i cannot comply", "i must decline", "as an ai language model, i cannot",
    ];

    private readonly string[] _phrases;

    /// <summary>Creates the verifier with the built-in phrases and <paramref name="extraPhrases"/>.</summary>
    public RefusalVerifier(IEnumerable<string>? extraPhrases = null)
    {
        _phrases = [.. DefaultPhrases.Concat((extraPhrases ?? []).Select(Normalize)).Distinct(StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public string Name => KindName;

    /// <inheritdoc />
    public ValueTask<VerifierVerdict> VerifyAsync(VerificationContext context, Completion answer, CancellationToken cancellationToken) =>
        new(Check(answer));

    /// <summary>The verdict on <paramref name="answer"/>.</summary>
    public VerifierVerdict Check(Completion answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var model = answer.Model.Id;
        if (!string.IsNullOrWhiteSpace(answer.Refusal))
        {
            return new(Name, model, false, "refusal: " + Shorten(answer.Refusal));
        }

        switch (answer.FinishReason)
        {
            case "content_filter":
                return new(Name, model, false, "finish_reason=content_filter");
            case "length":
                return new(Name, model, false, "truncated (finish_reason=length)");
        }

        if (string.IsNullOrWhiteSpace(answer.Content))
        {
            return answer.HasToolCalls ? new(Name, model, true, "tool calls") : new(Name, model, false, "empty answer");
        }

        var head = Normalize(answer.Content.Length > PhraseWindow ? answer.Content[..PhraseWindow] : answer.Content);
        foreach (var phrase in _phrases)
        {
            if (head.Contains(phrase, StringComparison.Ordinal))
            {
                return new(Name, model, false, $"refusal phrase '{phrase}'");
            }
        }

        return new(Name, model, true, "answered");
    }

    private static string Normalize(string text) => text.Replace('\u2019', '\'').Replace('\u2018', '\'').ToLowerInvariant();

    private static string Shorten(string text) => text.Length > 80 ? text[..77] + "..." : text;
}
