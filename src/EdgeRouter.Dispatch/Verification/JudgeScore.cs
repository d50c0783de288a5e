using System.Globalization;
using System.Text.RegularExpressions;

namespace EdgeRouter.Dispatch.Verification;

/// <summary>
/// Reads the 1–10 score out of a judge's reply, tolerating how models actually answer: <c>Score: 8</c>,
/// <c>**Score:** 8/10</c>, <c>Rating - 7.5</c>, <c>I'd give it 6 out of 10</c>, <c>8/10</c>, or a bare <c>9</c>. The
/// last "score"/"rating" mention wins (judges restate their verdict at the end); scores outside 1–10 are rejected.
/// Stateless; thread-safe.
/// </summary>
public static partial class JudgeScore
{
    /// <summary>The score in <paramref name="reply"/>, or null when it has none in 1–10.</summary>
    public static double? Parse(string? reply)
    {
        if (string.IsNullOrWhiteSpace(reply))
        {
            return null;
        }

        var labelled = Labelled().Matches(reply);
        if (labelled.Count > 0)
        {
            return InRange(labelled[^1].Groups[1].Value);
        }

        var outOfTen = OutOfTen().Matches(reply);
        if (outOfTen.Count > 0)
        {
            return InRange(outOfTen[^1].Groups[1].Value);
        }

        var bare = Bare().Match(reply);
        return bare.Success ? InRange(bare.Groups[1].Value) : null;
    }

    private static double? InRange(string number) =>
        double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var score) && score is >= 1 and <= 10 ? score : null;

    [GeneratedRegex(@"(?:score|rating|grade)\W{0,6}?(?:is|of|=|:|-)?\W{0,4}?(\d+(?:\.\d+)?)", RegexOptions.IgnoreCase)]
    private static partial Regex Labelled();

    [GeneratedRegex(@"(\d+(?:\.\d+)?)\s*(?:/|out of)\s*10\b", RegexOptions.IgnoreCase)]
    private static partial Regex OutOfTen();

    [GeneratedRegex(@"^\W*(\d+(?:\.\d+)?)\W*$")]
    private static partial Regex Bare();
}
