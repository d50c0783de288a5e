using System.Collections.Frozen;

namespace EdgeRouter.Cache;

/// <summary>
/// Rejects semantic cache hits whose prompt differs from the cached one in a way that flips the answer although the
/// embeddings are close: one negates and the other does not, they use opposite words (enable/disable), or they
/// mention different numbers, dates or names. Embeddings are notoriously blind to exactly these differences, which is
/// how a semantic cache serves a wrong answer. Cheap (word sets of two short texts); thread-safe.
/// </summary>
public static class MeaningGuard
{
    private static readonly FrozenSet<string> Negations = FrozenSet.ToFrozenSet(
        ["not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "cannot", "without", "nowhere", "unable"],
        StringComparer.Ordinal);

    private static readonly FrozenSet<string> DateWords = FrozenSet.ToFrozenSet(
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
         "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "monday",
         "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today", "tomorrow", "yesterday", "tonight",
         "weekend", "morning", "afternoon", "evening", "night", "week", "month", "year", "quarter", "spring", "summer",
         "autumn", "winter"],
        StringComparer.Ordinal);

    // Month names that are also everyday words ("may I", "march on"): dates only when capitalised mid-sentence.
    private static readonly FrozenSet<string> AmbiguousMonths = FrozenSet.ToFrozenSet(["may", "march"], StringComparer.Ordinal);

    // "second" (a unit of time as often as an ordinal) and "once" ("once I log in") are left out on purpose.
    private static readonly FrozenDictionary<string, string> NumberWords = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["zero"] = "0", ["one"] = "1", ["two"] = "2", ["three"] = "3", ["four"] = "4", ["five"] = "5", ["six"] = "6",
        ["seven"] = "7", ["eight"] = "8", ["nine"] = "9", ["ten"] = "10", ["eleven"] = "11", ["twelve"] = "12",
        ["twenty"] = "20", ["thirty"] = "30", ["fifty"] = "50", ["hundred"] = "100", ["thousand"] = "1000",
        ["million"] = "1000000", ["billion"] = "1000000000", ["first"] = "1st", ["third"] = "3rd", ["half"] = "0.5",
        ["double"] = "2x", ["twice"] = "2x", ["triple"] = "3x",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // Opposites that keep a sentence's embedding almost unchanged while reversing what it asks for.
    private static readonly (string A, string B)[] Opposites =
    [
        ("enable", "disable"), ("enabled", "disabled"), ("increase", "decrease"), ("add", "remove"), ("start", "stop"),
        ("open", "close"), ("on", "off"), ("up", "down"), ("buy", "sell"), ("before", "after"), ("yes", "no"),
        ("true", "false"), ("allow", "deny"), ("allow", "block"), ("accept", "reject"), ("encrypt", "decrypt"),
        ("install", "uninstall"), ("lock", "unlock"), ("import", "export"), ("max", "min"), ("maximum", "minimum"),
        ("more", "less"), ("higher", "lower"), ("high", "low"), ("faster", "slower"), ("fast", "slow"), ("hot", "cold"),
        ("left", "right"), ("login", "logout"), ("upload", "download"), ("create", "delete"), ("include", "exclude"),
        ("first", "last"), ("win", "lose"), ("push", "pull"), ("send", "receive"), ("show", "hide"),
        ("connect", "disconnect"), ("subscribe", "unsubscribe"), ("activate", "deactivate"), ("approve", "decline"),
        ("debit", "credit"), ("deposit", "withdraw"), ("positive", "negative"), ("above", "below"), ("inside", "outside"),
        ("old", "new"), ("cheap", "expensive"), ("best", "worst"), ("pros", "cons"), ("advantages", "disadvantages"),
        ("benefits", "drawbacks"), ("north", "south"), ("east", "west"), ("import", "export"), ("arrive", "depart"),
        ("arrival", "departure"), ("largest", "smallest"), ("biggest", "smallest"), ("longest", "shortest"),
        ("most", "least"), ("always", "never"), ("all", "none"), ("safe", "unsafe"), ("legal", "illegal"),
        ("possible", "impossible"), ("valid", "invalid"), ("visible", "invisible"), ("encode", "decode"),
        ("compress", "decompress"), ("serialize", "deserialize"), ("mount", "unmount"), ("attach", "detach"),
        ("ascending", "descending"), ("asc", "desc"), ("won", "lost"), ("win", "loss"), ("over", "under"),
        ("profit", "loss"), ("gain", "loss"), ("rise", "fall"), ("rose", "fell"), ("winner", "loser"), ("inner", "outer"), ("input", "output"), ("sync", "async"),
        ("synchronous", "asynchronous"), ("client", "server"), ("celsius", "fahrenheit"), ("male", "female"),
    ];

    private static readonly FrozenDictionary<string, string[]> OppositeOf = BuildOpposites();

    /// <summary>
    /// True when <paramref name="query"/> can be answered with the answer cached for <paramref name="cached"/> as far as
    /// negation, opposites, numbers, dates and names tell; otherwise false with the reason.
    /// </summary>
    public static bool Compatible(string query, string cached, out string reason)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(cached);
        var a = Words.Of(query);
        var b = Words.Of(cached);
        if (a.Negated != b.Negated)
        {
            reason = "negation differs";
            return false;
        }

        foreach (var word in a.Lower)
        {
            if (OppositeOf.TryGetValue(word, out var opposites))
            {
                foreach (var opposite in opposites)
                {
                    if (b.Lower.Contains(opposite) && !b.Lower.Contains(word) && !a.Lower.Contains(opposite))
                    {
                        reason = $"opposite words: '{word}' / '{opposite}'";
                        return false;
                    }
                }
            }
        }

        if (!a.Numbers.SetEquals(b.Numbers))
        {
            reason = "different numbers";
            return false;
        }

        if (!a.Dates.SetEquals(b.Dates))
        {
            reason = "different dates";
            return false;
        }

        // A name one text capitalises may be written in lower case (or start a sentence) in the other: only a name
        // the other text lacks altogether is a different name.
        if (!a.Names.IsSubsetOf(b.Lower) || !b.Names.IsSubsetOf(a.Lower))
        {
            reason = "different names";
            return false;
        }

        reason = "";
        return true;
    }

    private static FrozenDictionary<string, string[]> BuildOpposites()
    {
        var map = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (x, y) in Opposites)
        {
            (map.TryGetValue(x, out var forX) ? forX : map[x] = []).Add(y);
            (map.TryGetValue(y, out var forY) ? forY : map[y] = []).Add(x);
        }

        return map.ToFrozenDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>The word-level facts of one text that the guard compares.</summary>
    private sealed class Words
    {
        public HashSet<string> Lower { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Numbers { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Dates { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Names { get; } = new(StringComparer.Ordinal);

        public bool Negated { get; private set; }

        public static Words Of(string text)
        {
            var words = new Words();
            var sentenceStart = true;
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (char.IsLetterOrDigit(c))
                {
                    var start = i;
                    while (i < text.Length && (char.IsLetterOrDigit(text[i]) || IsInnerPunctuation(text, i)))
                    {
                        i++;
                    }

                    words.Add(text.AsSpan(start, i - start), sentenceStart);
                    sentenceStart = false;
                    continue;
                }

                if (c is '.' or '!' or '?' or '\n' or ':')
                {
                    sentenceStart = true;
                }

                i++;
            }

            return words;
        }

        // Keeps "3.5", "1,000", "don't" and "gpt-4" together as one word.
        private static bool IsInnerPunctuation(string text, int i) =>
            text[i] is '.' or ',' or '\'' or '\u2019' or '-' or '/' or ':'
            && i > 0 && i + 1 < text.Length && char.IsLetterOrDigit(text[i - 1]) && char.IsLetterOrDigit(text[i + 1])
            && (text[i] is not ('.' or ',' or ':' or '/') || (char.IsDigit(text[i - 1]) && char.IsDigit(text[i + 1])));

        private void Add(ReadOnlySpan<char> word, bool sentenceStart)
        {
            AddWord(word, sentenceStart);

            // The parts of a hyphenated word count too, so "eight-year-old" / "nine-year-old", "mid-February" /
            // "mid-March" and "mid-Texas" / "mid-California" differ as their parts do.
            if (word.Contains('-'))
            {
                foreach (var range in word.Split('-'))
                {
                    var part = word[range];
                    if (!part.IsEmpty && part.Length < word.Length)
                    {
                        AddWord(part, sentenceStart && range.Start.Value == 0);
                    }
                }
            }
        }

        private void AddWord(ReadOnlySpan<char> word, bool sentenceStart)
        {
            var lower = word.ToString().ToLowerInvariant().Replace('\u2019', '\'');
            Lower.Add(lower);
            if (Negations.Contains(lower) || lower.EndsWith("n't", StringComparison.Ordinal))
            {
                Negated = !Negated;
            }

            // Any word with a digit counts as a number, so "gpt-4" and "gpt-5" differ as "4" and "5" do.
            if (word.IndexOfAnyInRange('0', '9') >= 0)
            {
                Numbers.Add(lower.Replace(",", "", StringComparison.Ordinal));
            }
            else if (NumberWords.TryGetValue(lower, out var value))
            {
                Numbers.Add(value);
            }

            var capitalised = char.IsUpper(word[0]);
            if (DateWords.Contains(lower) && (!AmbiguousMonths.Contains(lower) || (capitalised && !sentenceStart)))
            {
                Dates.Add(lower);
            }

            // A capitalised word in mid-sentence, or an acronym anywhere, is taken as a name.
            var acronym = word.Length > 1 && AllUpper(word);
            if ((capitalised && !sentenceStart && !DateWords.Contains(lower) && lower != "i") || acronym)
            {
                Names.Add(lower);
            }
        }

        private static bool AllUpper(ReadOnlySpan<char> word)
        {
            foreach (var c in word)
            {
                if (char.IsLetter(c) && !char.IsUpper(c))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
