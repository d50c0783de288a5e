using System.Collections.Frozen;
using System.Globalization;
using System.Text.RegularExpressions;

namespace EdgeRouter.CacheBench;

/// <summary>A sentence and a copy whose meaning one deterministic edit reversed or changed.</summary>
internal sealed record Flip(string Rule, string Source, string Original, string Flipped);

/// <summary>
/// Makes meaning-flipped copies of sentences with fixed rules, one edit per rule (the first place it applies), so a
/// sentence yields up to one pair per rule and a rule that does not apply yields nothing:
/// negation (remove one, else insert one after the first auxiliary), antonym (first word with an opposite in the
/// list), number (first digit string changed, else a number word), date (month, weekday, today/tomorrow/yesterday),
/// entity (a city, country, US state or company swapped for another of its kind; split by whether the text
/// capitalised it, since the guard only sees capitalised names) and subject swap (man/woman, dog/cat …: a change
/// the guard has no list for, to show what it cannot catch). Words capitalised mid-sentence are left alone by the
/// antonym and subject rules (they are likely names: "New York", "Up" the film).
/// </summary>
internal static partial class MeaningFlips
{
    public static readonly string[] Rules = ["negation", "antonym", "number", "date", "entity", "entity (lower case)", "subject swap"];

    // A sentence already negated by one of these is left to the removal rules only: inserting "not" would make a
    // double negative the guard (which counts parity) rightly sees as unchanged.
    private static readonly FrozenSet<string> OtherNegations = FrozenSet.ToFrozenSet(
        ["no", "never", "none", "nothing", "nobody", "neither", "nor", "without", "nowhere"], StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> RemoveNegation = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["isn't"] = "is", ["aren't"] = "are", ["wasn't"] = "was", ["weren't"] = "were", ["don't"] = "do", ["doesn't"] = "does",
        ["didn't"] = "did", ["can't"] = "can", ["cannot"] = "can", ["won't"] = "will", ["wouldn't"] = "would",
        ["shouldn't"] = "should", ["couldn't"] = "could", ["haven't"] = "have", ["hasn't"] = "has",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> InsertNegation = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["is"] = "is not", ["are"] = "are not", ["was"] = "was not", ["were"] = "were not", ["can"] = "cannot", ["do"] = "don't",
        ["does"] = "doesn't", ["did"] = "didn't", ["will"] = "will not", ["should"] = "should not", ["would"] = "would not",
        ["could"] = "could not",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> Antonyms = Symmetric(
        ("enable", "disable"), ("enabled", "disabled"), ("increase", "decrease"), ("increased", "decreased"), ("open", "close"),
        ("opened", "closed"), ("buy", "sell"), ("bought", "sold"), ("add", "remove"), ("added", "removed"), ("before", "after"),
        ("up", "down"), ("more", "less"), ("on", "off"), ("start", "stop"), ("lock", "unlock"), ("higher", "lower"), ("high", "low"),
        ("hot", "cold"), ("win", "lose"), ("won", "lost"), ("first", "last"), ("above", "below"), ("early", "late"),
        ("cheap", "expensive"), ("big", "small"), ("long", "short"), ("fast", "slow"), ("old", "new"), ("true", "false"),
        ("accept", "reject"), ("allow", "block"), ("import", "export"), ("upload", "download"), ("arrive", "depart"),
        ("always", "never"), ("best", "worst"), ("maximum", "minimum"), ("north", "south"), ("east", "west"), ("love", "hate"),
        ("rise", "fall"), ("rising", "falling"), ("positive", "negative"), ("push", "pull"), ("send", "receive"),
        ("include", "exclude"), ("most", "least"), ("pass", "fail"), ("inside", "outside"), ("under", "over"));

    private static readonly FrozenDictionary<string, string> SubjectSwaps = Symmetric(
        ("man", "woman"), ("men", "women"), ("boy", "girl"), ("boys", "girls"), ("dog", "cat"), ("dogs", "cats"), ("he", "she"),
        ("husband", "wife"), ("brother", "sister"), ("mother", "father"), ("son", "daughter"));

    private static readonly FrozenDictionary<string, string> NumberWords = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["two"] = "three", ["three"] = "four", ["four"] = "five", ["five"] = "six", ["six"] = "seven", ["seven"] = "eight",
        ["eight"] = "nine", ["nine"] = "ten", ["ten"] = "twelve", ["twelve"] = "twenty", ["twenty"] = "thirty", ["hundred"] = "thousand",
        ["thousand"] = "million", ["million"] = "billion", ["billion"] = "million",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> DateWords = Cycle(
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"],
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
        ["today", "tomorrow", "yesterday"]);

    // Single-word names only, none of them also a common word (no Turkey, China, Apple, Target, Georgia, Jordan).
    private static readonly FrozenDictionary<string, string> Entities = Cycle(
        ["paris", "london", "tokyo", "berlin", "madrid", "rome", "chicago", "boston", "seattle", "denver", "miami", "dallas", "houston",
         "atlanta", "sydney", "toronto", "vancouver", "dublin", "moscow", "beijing", "shanghai", "mumbai", "delhi", "cairo", "baghdad",
         "kabul", "dubai", "amsterdam", "vienna", "prague", "athens", "lisbon", "barcelona", "istanbul", "bangkok", "phoenix"],
        ["france", "germany", "spain", "italy", "japan", "india", "canada", "mexico", "brazil", "russia", "iran", "iraq", "syria",
         "egypt", "israel", "ukraine", "pakistan", "afghanistan", "australia", "england", "ireland", "scotland", "greece", "portugal",
         "poland", "sweden", "norway", "argentina", "chile", "peru", "colombia", "venezuela", "nigeria", "kenya", "vietnam", "libya",
         "yemen", "lebanon", "somalia", "sudan", "britain", "europe", "africa", "asia"],
        ["texas", "california", "florida", "ohio", "michigan", "arizona", "nevada", "oregon", "virginia", "massachusetts", "illinois",
         "pennsylvania", "colorado", "alaska", "hawaii", "kentucky", "tennessee", "alabama", "louisiana", "minnesota"],
        ["google", "microsoft", "amazon", "facebook", "netflix", "tesla", "walmart", "starbucks", "uber", "ibm", "intel", "samsung",
         "sony", "toyota", "boeing", "nike", "paypal", "twitter", "spotify", "yahoo", "cisco", "chase", "citibank", "expedia"]);

    /// <summary>Every pair the rules make from <paramref name="sentences"/> (distinct texts, in order).</summary>
    public static List<Flip> Generate(IEnumerable<(string Source, string Text)> sentences)
    {
        var flips = new List<Flip>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (source, text) in sentences)
        {
            if (!seen.Add(text))
            {
                continue;
            }

            var words = Words(text);
            Add("negation", Negate(text, words));
            Add("antonym", SwapWord(text, words, Antonyms, skipNames: true));
            Add("number", ChangeNumber(text, words));
            Add("date", SwapWord(text, words, DateWords, skipNames: false, IsDateWord));
            var entity = words.FirstOrDefault(w => Entities.ContainsKey(w.Lower));
            if (entity.Text is not null)
            {
                Add(char.IsUpper(entity.Text[0]) ? "entity" : "entity (lower case)", Replace(text, entity, Entities[entity.Lower]));
            }

            Add("subject swap", SwapWord(text, words, SubjectSwaps, skipNames: true));

            void Add(string rule, string? flipped)
            {
                if (flipped is not null && !string.Equals(flipped, text, StringComparison.Ordinal))
                {
                    flips.Add(new Flip(rule, source, text, flipped));
                }
            }
        }

        return flips;
    }

    private static string? Negate(string text, List<Word> words)
    {
        foreach (var word in words)
        {
            if (RemoveNegation.TryGetValue(word.Lower, out var positive))
            {
                return Replace(text, word, positive);
            }

            if (word.Lower == "not")
            {
                // Drop the word and the space before it ("is not open" -> "is open").
                var start = word.Index > 0 && text[word.Index - 1] == ' ' ? word.Index - 1 : word.Index;
                var end = start == word.Index && word.Index + word.Text.Length < text.Length && text[word.Index + word.Text.Length] == ' '
                    ? word.Index + word.Text.Length + 1
                    : word.Index + word.Text.Length;
                return string.Concat(text.AsSpan(0, start), text.AsSpan(end));
            }
        }

        if (words.Any(w => OtherNegations.Contains(w.Lower)))
        {
            return null;
        }

        var auxiliary = words.FirstOrDefault(w => InsertNegation.ContainsKey(w.Lower));
        return auxiliary.Text is null ? null : Replace(text, auxiliary, InsertNegation[auxiliary.Lower]);
    }

    private static string? ChangeNumber(string text, List<Word> words)
    {
        var digits = Digits().Match(text);
        if (digits.Success)
        {
            string changed;
            if (digits.Length <= 9)
            {
                var value = int.Parse(digits.Value, CultureInfo.InvariantCulture);
                // Years move by one ("2012" -> "2013"), other numbers by two ("5 minutes" -> "7 minutes").
                changed = (value is >= 1900 and <= 2100 ? value + 1 : value + 2).ToString(CultureInfo.InvariantCulture);
            }
            else
            {
                var last = digits.Value[^1];
                changed = digits.Value[..^1] + (char)('0' + ((last - '0' + 1) % 10));
            }

            return string.Concat(text.AsSpan(0, digits.Index), changed, text.AsSpan(digits.Index + digits.Length));
        }

        return SwapWord(text, words, NumberWords, skipNames: false);
    }

    private static string? SwapWord(string text, List<Word> words, FrozenDictionary<string, string> map, bool skipNames, Func<Word, bool>? accept = null)
    {
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            if (skipNames && i > 0 && char.IsUpper(word.Text[0]))
            {
                continue;
            }

            if (map.TryGetValue(word.Lower, out var other) && (accept is null || accept(word)))
            {
                return Replace(text, word, other);
            }
        }

        return null;
    }

    // "may" and "march" are dates only when capitalised ("May 3", not "may I").
    private static bool IsDateWord(Word word) => word.Lower is not ("may" or "march") || char.IsUpper(word.Text[0]);

    /// <summary>Puts <paramref name="replacement"/> where <paramref name="word"/> was, in its case (lower, Capitalised or UPPER).</summary>
    private static string Replace(string text, Word word, string replacement)
    {
        var cased = word.Text.Length > 1 && word.Text.All(c => !char.IsLetter(c) || char.IsUpper(c)) ? replacement.ToUpperInvariant()
            : char.IsUpper(word.Text[0]) ? char.ToUpperInvariant(replacement[0]) + replacement[1..]
            : replacement;
        return string.Concat(text.AsSpan(0, word.Index), cased, text.AsSpan(word.Index + word.Text.Length));
    }

    private static List<Word> Words(string text) =>
        [.. WordPattern().Matches(text).Select(m => new Word(m.Index, m.Value, m.Value.ToLowerInvariant().Replace('\u2019', '\'')))];

    private static FrozenDictionary<string, string> Symmetric(params (string A, string B)[] pairs)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (a, b) in pairs)
        {
            map.TryAdd(a, b);
            map.TryAdd(b, a);
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Maps each word of each list to the next one of the same list (the last to the first).</summary>
    private static FrozenDictionary<string, string> Cycle(params string[][] lists)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var list in lists)
        {
            for (var i = 0; i < list.Length; i++)
            {
                map.Add(list[i], list[(i + 1) % list.Length]);
            }
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+(?:['\u2019]\p{L}+)?")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();

    private readonly record struct Word(int Index, string Text, string Lower);
}
