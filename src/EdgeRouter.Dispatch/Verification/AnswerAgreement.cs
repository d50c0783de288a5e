using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace EdgeRouter.Dispatch.Verification;

/// <summary>
/// Decides whether two samples of an answer agree: the same text once normalised (case, whitespace, trailing
/// punctuation), or, when both are short, the same final answer: the token after "answer is" / "answer:" /
/// "final answer", a <c>\boxed{…}</c> value, a lone option letter ("(B)", "B."), or else the last number (with
/// thousands separators and trailing zeros removed, so 1,000.0 equals 1000). Stateless; thread-safe.
/// </summary>
public static partial class AnswerAgreement
{
    /// <summary>Answers of at most this many words are compared by their final answer when their texts differ.</summary>
    public const int DefaultShortAnswerWords = 60;

    /// <summary>Compares <paramref name="first"/> and <paramref name="second"/>; the reason says how they were compared.</summary>
    public static (bool Agree, string Reason) Compare(string first, string second, int shortAnswerWords = DefaultShortAnswerWords)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var a = Normalize(first);
        var b = Normalize(second);
        if (a == b)
        {
            return (true, "samples agree (same text)");
        }

        if (Words(a) > shortAnswerWords || Words(b) > shortAnswerWords)
        {
            return (false, "samples differ (long answers)");
        }

        var x = FinalAnswer(first);
        var y = FinalAnswer(second);
        if (x is null || y is null)
        {
            return (false, "samples differ (no final answer to compare)");
        }

        return x == y
            ? (true, $"samples agree on '{x}'")
            : (false, $"samples disagree: '{Shorten(x)}' vs '{Shorten(y)}'");
    }

    /// <summary>The final answer of a short text, normalised (lower case, no surrounding punctuation), or null when none is found.</summary>
    public static string? FinalAnswer(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var boxed = Boxed().Match(text);
        if (boxed.Success)
        {
            return Token(boxed.Groups[1].Value);
        }

        var marked = Marker().Matches(text);
        if (marked.Count > 0)
        {
            var after = text[(marked[^1].Index + marked[^1].Length)..];
            var option = MarkedOption().Match(after);
            if (option.Success)
            {
                return option.Groups[1].Value.ToLowerInvariant();
            }

            var number = Number().Match(after);
            if (number.Success && number.Index < 3)
            {
                return CanonicalNumber(number.Value);
            }

            var word = FirstWord().Match(after);
            if (word.Success)
            {
                return Token(word.Value);
            }
        }

        var lone = LoneOption().Match(text);
        if (lone.Success)
        {
            return (lone.Groups[1].Success ? lone.Groups[1].Value : lone.Groups[2].Value).ToLowerInvariant();
        }

        var numbers = Number().Matches(text);
        if (numbers.Count > 0)
        {
            return CanonicalNumber(numbers[^1].Value);
        }

        var trimmed = Token(text);
        return trimmed.Length > 0 && !trimmed.Contains(' ', StringComparison.Ordinal) ? trimmed : null;
    }

    private static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text.Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString().TrimEnd('.', '!', '?', ' ');
    }

    private static int Words(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    private static string Token(string text) => text.Trim().Trim('*', '.', ',', ';', ':', '!', '?', '"', '\'', '`', '$', '(', ')', '[', ']').ToLowerInvariant();

    private static string CanonicalNumber(string text)
    {
        var digits = text.Replace(",", "", StringComparison.Ordinal);
        return decimal.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? (value / 1.0000000000000000000000000000m).ToString(CultureInfo.InvariantCulture)
            : digits;
    }

    private static string Shorten(string text) => text.Length > 40 ? text[..37] + "..." : text;

    [GeneratedRegex(@"\\boxed\{([^{}]*)\}")]
    private static partial Regex Boxed();

    [GeneratedRegex(@"\b(?:final answer|answer)\b\s*(?:is\b)?\s*[:=]?\s*", RegexOptions.IgnoreCase)]
    private static partial Regex Marker();

    /// <summary>An option letter right after an answer marker: "B", "(B)", "**B**".</summary>
    [GeneratedRegex(@"^\**\(?([A-E])\)?\**(?=[\s.,;:)]|$)")]
    private static partial Regex MarkedOption();

    /// <summary>An answer that opens with an option letter: "(B) …", "B) …", "B. …", or is just "B".</summary>
    [GeneratedRegex(@"^\s*\**(?:\(([A-E])\)|([A-E])(?:[.):]|\s*$))")]
    private static partial Regex LoneOption();

    [GeneratedRegex(@"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?")]
    private static partial Regex Number();

    [GeneratedRegex(@"[^\s]+")]
    private static partial Regex FirstWord();
}
