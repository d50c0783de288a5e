using System.Text.RegularExpressions;

namespace EdgeRouter.Routing.Evaluation;

/// <summary>Settings of a <see cref="TfidfVectorizer"/>.</summary>
public sealed record TfidfOptions
{
    /// <summary>Add word bigrams to the unigrams. Default true.</summary>
    public bool Bigrams { get; init; } = true;

    /// <summary>Use 1 + ln(tf) instead of the raw term count. Default true.</summary>
    public bool SublinearTf { get; init; } = true;

    /// <summary>Keep terms found in at least this many training documents. Default 1.</summary>
    public int MinDocumentFrequency { get; init; } = 1;

    /// <summary>Keep at most this many terms, the most frequent by document frequency. Default 200,000.</summary>
    public int MaxFeatures { get; init; } = 200_000;
}

/// <summary>
/// Word TF-IDF as scikit-learn's <c>TfidfVectorizer</c> with its defaults and <c>ngram_range=(1, 2)</c>: lower-cased
/// words of two or more word characters (<c>\b\w\w+\b</c>), unigrams and bigrams, smooth idf
/// <c>ln((1 + n) / (1 + df)) + 1</c>, rows L2-normalised; sublinear tf by default (see <see cref="TfidfOptions"/>).
/// The vocabulary is ordered by document frequency (descending), then ordinally. Immutable after
/// <see cref="Fit"/>; thread-safe.
/// </summary>
public sealed partial class TfidfVectorizer
{
    private readonly Dictionary<string, int> _vocabulary;
    private readonly double[] _idf;

    private TfidfVectorizer(Dictionary<string, int> vocabulary, double[] idf, TfidfOptions options)
    {
        _vocabulary = vocabulary;
        _idf = idf;
        Options = options;
    }

    /// <summary>The settings it was fitted with.</summary>
    public TfidfOptions Options { get; }

    /// <summary>Number of terms (columns).</summary>
    public int FeatureCount => _idf.Length;

    /// <summary>Learns the vocabulary and idf weights from <paramref name="documents"/>.</summary>
    public static TfidfVectorizer Fit(IReadOnlyList<string> documents, TfidfOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        options ??= new TfidfOptions();
        var frequency = new Dictionary<string, int>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var document in documents)
        {
            seen.Clear();
            foreach (var term in Terms(document, options.Bigrams))
            {
                if (seen.Add(term))
                {
                    frequency[term] = frequency.GetValueOrDefault(term) + 1;
                }
            }
        }

        var kept = frequency.Where(kv => kv.Value >= options.MinDocumentFrequency)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(options.MaxFeatures).ToArray();
        var vocabulary = new Dictionary<string, int>(kept.Length, StringComparer.Ordinal);
        var idf = new double[kept.Length];
        for (var i = 0; i < kept.Length; i++)
        {
            vocabulary[kept[i].Key] = i;
            idf[i] = Math.Log((1.0 + documents.Count) / (1.0 + kept[i].Value)) + 1;
        }

        return new TfidfVectorizer(vocabulary, idf, options);
    }

    /// <summary>The L2-normalised TF-IDF rows of <paramref name="documents"/>; a document with no known term is an empty row.</summary>
    public SparseMatrix Transform(IReadOnlyList<string> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var starts = new int[documents.Count + 1];
        var columns = new List<int>();
        var values = new List<double>();
        var counts = new Dictionary<int, int>();
        for (var r = 0; r < documents.Count; r++)
        {
            counts.Clear();
            foreach (var term in Terms(documents[r], Options.Bigrams))
            {
                if (_vocabulary.TryGetValue(term, out var column))
                {
                    counts[column] = counts.GetValueOrDefault(column) + 1;
                }
            }

            var row = counts.Keys.Order().ToArray();
            var weights = new double[row.Length];
            var norm = 0.0;
            for (var i = 0; i < row.Length; i++)
            {
                var tf = counts[row[i]];
                weights[i] = (Options.SublinearTf ? 1 + Math.Log(tf) : tf) * _idf[row[i]];
                norm += weights[i] * weights[i];
            }

            norm = Math.Sqrt(norm);
            for (var i = 0; i < row.Length; i++)
            {
                columns.Add(row[i]);
                values.Add(weights[i] / norm);
            }

            starts[r + 1] = columns.Count;
        }

        return new SparseMatrix(FeatureCount, starts, [.. columns], [.. values]);
    }

    /// <summary>The terms of <paramref name="text"/> in order: its words, then (optionally) its adjacent word pairs joined by a space.</summary>
    public static IReadOnlyList<string> Terms(string text, bool bigrams = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = Word().Matches(text.ToLowerInvariant()).Select(m => m.Value).ToList();
        if (!bigrams || words.Count < 2)
        {
            return words;
        }

        var terms = new List<string>(2 * words.Count - 1);
        terms.AddRange(words);
        for (var i = 1; i < words.Count; i++)
        {
            terms.Add(string.Concat(words[i - 1], " ", words[i]));
        }

        return terms;
    }

    [GeneratedRegex(@"\b\w\w+\b", RegexOptions.CultureInvariant)]
    private static partial Regex Word();
}
