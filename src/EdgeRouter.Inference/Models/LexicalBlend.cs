using System.Buffers;
using System.Text.Json;
using EdgeRouter.Pipeline;

namespace EdgeRouter.Inference.Models;

/// <summary>
/// The similarity an encoder's <c>calibration.json</c> asks for: <c>w · cosine(embeddings) + (1 − w) · cosine(character
/// n-gram TF-IDF vectors)</c>. Character 3–5-grams inside space-padded lower-cased words (scikit-learn's
/// <c>char_wb</c>) catch the surface overlap a small encoder misses; the training pipeline keeps the blend only when
/// it scores better on STS-B validation than the embedding alone. Thread-safe; no allocation per n-gram.
/// </summary>
public sealed class LexicalBlend : ITextSimilarity
{
    private const int MinN = 3;
    private const int MaxN = 5;

    private readonly Dictionary<string, (int Index, float Idf)> _features;
    private readonly Dictionary<string, (int Index, float Idf)>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    private LexicalBlend(float embeddingWeight, Dictionary<string, (int Index, float Idf)> features)
    {
        EmbeddingWeight = embeddingWeight;
        _features = features;
        _lookup = features.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Weight of the embedding cosine; the lexical cosine gets the rest.</summary>
    public float EmbeddingWeight { get; }

    /// <summary>Number of n-grams with an IDF weight.</summary>
    public int FeatureCount => _features.Count;

    /// <summary>
    /// Reads <c>calibration.json</c> in <paramref name="directory"/>, or returns null when there is none.
    /// </summary>
    /// <exception cref="InvalidDataException">The calibration or its IDF file is malformed.</exception>
    public static LexicalBlend? TryLoad(string directory)
    {
        var path = Path.Combine(directory, "calibration.json");
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var calibration = JsonDocument.Parse(File.ReadAllBytes(path));
            if (!calibration.RootElement.TryGetProperty("similarity", out var similarity))
            {
                return null;
            }

            var weight = similarity.GetProperty("embeddingWeight").GetSingle();
            var lexical = similarity.GetProperty("lexical");
            if (lexical.GetProperty("analyzer").GetString() != "char_wb"
                || lexical.GetProperty("ngramMin").GetInt32() != MinN || lexical.GetProperty("ngramMax").GetInt32() != MaxN)
            {
                throw new InvalidDataException($"{path}: only char_wb {MinN}-{MaxN}-grams are supported.");
            }

            if (weight is < 0 or > 1)
            {
                throw new InvalidDataException($"{path}: embeddingWeight must be in [0, 1], got {weight}.");
            }

            var idfPath = Path.Combine(directory, lexical.GetProperty("idfFile").GetString()!);
            using var idf = JsonDocument.Parse(File.ReadAllBytes(idfPath));
            var features = new Dictionary<string, (int, float)>(StringComparer.Ordinal);
            foreach (var feature in idf.RootElement.GetProperty("idf").EnumerateObject())
            {
                features[feature.Name] = (features.Count, feature.Value.GetSingle());
            }

            return new LexicalBlend(weight, features);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException)
        {
            throw new InvalidDataException($"{path}: unreadable similarity calibration ({ex.Message}).", ex);
        }
    }

    /// <inheritdoc />
    public float Score(float cosine, string a, string b) =>
        (EmbeddingWeight * cosine) + ((1 - EmbeddingWeight) * LexicalCosine(a, b));

    /// <inheritdoc />
    public float UpperBound(float cosine) => (EmbeddingWeight * cosine) + (1 - EmbeddingWeight);

    /// <summary>Cosine of the two texts' character n-gram TF-IDF vectors (0 when either has no known n-gram).</summary>
    public float LexicalCosine(string a, string b)
    {
        var left = Vectorize(a);
        var right = Vectorize(b);
        try
        {
            return Cosine(left.Items.AsSpan(0, left.Count), right.Items.AsSpan(0, right.Count));
        }
        finally
        {
            ArrayPool<(int, float)>.Shared.Return(left.Items);
            ArrayPool<(int, float)>.Shared.Return(right.Items);
        }
    }

    /// <summary>The text's features as (index, tf · idf), sorted by index with repeats merged; items are pooled.</summary>
    private ((int Index, float Weight)[] Items, int Count) Vectorize(string text)
    {
        Span<char> lower = text.Length <= 512 ? stackalloc char[text.Length] : new char[text.Length];
        text.AsSpan().ToLowerInvariant(lower);
        var items = ArrayPool<(int, float)>.Shared.Rent(Math.Max(16, (lower.Length + 8) * (MaxN - MinN + 1)));
        var count = 0;
        Span<char> padded = stackalloc char[66];
        foreach (var range in lower.SplitAny(" \t\n\r\f\v"))
        {
            var word = lower[range];
            if (word.IsEmpty)
            {
                continue;
            }

            // Longer words than this are rare; their n-grams beyond the window are dropped, not mis-counted.
            var w = word.Length + 2 <= padded.Length ? padded[..(word.Length + 2)] : (Span<char>)new char[word.Length + 2];
            w[0] = ' ';
            word.CopyTo(w[1..]);
            w[^1] = ' ';
            for (var n = MinN; n <= MaxN; n++)
            {
                if (w.Length < n)
                {
                    if (n == MinN)
                    {
                        Add(w, items, ref count);
                    }

                    continue;
                }

                for (var i = 0; i + n <= w.Length; i++)
                {
                    Add(w.Slice(i, n), items, ref count);
                }
            }
        }

        Array.Sort(items, 0, count, FeatureOrder.Instance);
        var merged = 0;
        for (var i = 0; i < count; i++)
        {
            if (merged > 0 && items[merged - 1].Item1 == items[i].Item1)
            {
                items[merged - 1].Item2 += items[i].Item2;
            }
            else
            {
                items[merged++] = items[i];
            }
        }

        return (items, merged);
    }

    private void Add(ReadOnlySpan<char> gram, (int, float)[] items, ref int count)
    {
        if (_lookup.TryGetValue(gram, out var feature) && count < items.Length)
        {
            items[count++] = (feature.Index, feature.Idf);
        }
    }

    private static float Cosine(ReadOnlySpan<(int Index, float Weight)> a, ReadOnlySpan<(int Index, float Weight)> b)
    {
        double dot = 0, na = 0, nb = 0;
        foreach (var (_, w) in a)
        {
            na += w * w;
        }

        foreach (var (_, w) in b)
        {
            nb += w * w;
        }

        for (int i = 0, j = 0; i < a.Length && j < b.Length;)
        {
            if (a[i].Index == b[j].Index)
            {
                dot += a[i++].Weight * b[j++].Weight;
            }
            else if (a[i].Index < b[j].Index)
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return na == 0 || nb == 0 ? 0f : (float)(dot / Math.Sqrt(na * nb));
    }

    private sealed class FeatureOrder : IComparer<(int Index, float Weight)>
    {
        public static readonly FeatureOrder Instance = new();

        public int Compare((int Index, float Weight) x, (int Index, float Weight) y) => x.Index.CompareTo(y.Index);
    }
}
