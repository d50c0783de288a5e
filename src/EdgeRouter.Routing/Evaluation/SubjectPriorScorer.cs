namespace EdgeRouter.Routing.Evaluation;

/// <summary>
/// Baseline router: the training rate of "needs the strong model" (whichever label it is trained on) of the prompt's subject. A prompt whose subject is
/// unknown (no subject, as in GSM8K, MT-Bench and real traffic, or one never seen in training) takes the rate of the
/// nearest training subject: the highest cosine between the prompt's TF-IDF vector (word unigrams, terms in ≥ 2
/// training prompts) and each subject's centroid (mean of its training vectors, normalised); ties go to the
/// ordinally first subject, and a prompt with no known word gets the overall training rate. Immutable after
/// training; thread-safe.
/// </summary>
public sealed class SubjectPriorScorer : IRouterScorer
{
    private static readonly TfidfOptions CentroidFeatures = new() { Bigrams = false, MinDocumentFrequency = 2 };

    private readonly Dictionary<string, double> _rates;
    private readonly string[] _subjects;
    private readonly double[][] _centroids;
    private readonly TfidfVectorizer _vectorizer;

    private SubjectPriorScorer(string name, string label, Dictionary<string, double> rates, string[] subjects, double[][] centroids, TfidfVectorizer vectorizer, double overallRate)
    {
        Name = name;
        Description = $"training rate of {label} of the prompt's subject (no subject: the nearest subject by TF-IDF centroid)";
        _rates = rates;
        _subjects = subjects;
        _centroids = centroids;
        _vectorizer = vectorizer;
        OverallRate = overallRate;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string Description { get; }

    /// <summary>The rate of the label over all training rows.</summary>
    public double OverallRate { get; }

    /// <summary>Rate of the label per training subject.</summary>
    public IReadOnlyDictionary<string, double> Rates => _rates;

    /// <summary>Learns the per-subject rates and centroids from training rows that all carry a subject.</summary>
    /// <param name="samples">Training prompts with their subjects (never evaluation rows).</param>
    /// <param name="labels">The label whose rate is the score.</param>
    /// <param name="name">Router name in reports.</param>
    /// <param name="label">What the label means, for the description.</param>
    /// <exception cref="ArgumentException">Lengths differ, there are no rows, or a row has no subject.</exception>
    public static SubjectPriorScorer Train(IReadOnlyList<RouterSample> samples, IReadOnlyList<bool> labels, string name = "subject-prior", string label = "needs-strong")
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(labels);
        if (samples.Count != labels.Count || samples.Count == 0)
        {
            throw new ArgumentException($"{samples.Count} samples and {labels.Count} labels; both must be the same, non-zero count.", nameof(labels));
        }

        var missing = samples.Select((s, i) => (s, i)).FirstOrDefault(x => string.IsNullOrEmpty(x.s.Subject));
        if (missing.s is not null)
        {
            throw new ArgumentException($"Training row {missing.i} has no subject.", nameof(samples));
        }

        var subjects = samples.Select(s => s.Subject!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = subjects.Select((s, i) => (s, i)).ToDictionary(x => x.s, x => x.i, StringComparer.Ordinal);
        var positives = new int[subjects.Length];
        var totals = new int[subjects.Length];
        for (var i = 0; i < samples.Count; i++)
        {
            var k = index[samples[i].Subject!];
            totals[k]++;
            positives[k] += labels[i] ? 1 : 0;
        }

        var rates = subjects.ToDictionary(s => s, s => (double)positives[index[s]] / totals[index[s]], StringComparer.Ordinal);
        var prompts = samples.Select(s => s.Prompt).ToArray();
        var vectorizer = TfidfVectorizer.Fit(prompts, CentroidFeatures);
        var rows = vectorizer.Transform(prompts);
        var centroids = subjects.Select(_ => new double[vectorizer.FeatureCount]).ToArray();
        for (var i = 0; i < samples.Count; i++)
        {
            rows.AddScaledRow(i, 1, centroids[index[samples[i].Subject!]]);
        }

        foreach (var centroid in centroids)
        {
            var norm = Math.Sqrt(DenseMath.Dot(centroid, centroid));
            for (var j = 0; j < centroid.Length && norm > 0; j++)
            {
                centroid[j] /= norm;
            }
        }

        return new SubjectPriorScorer(name, label, rates, subjects, centroids, vectorizer, (double)labels.Count(l => l) / labels.Count);
    }

    /// <summary>The training subject closest to <paramref name="prompt"/>, or null when it has no known word.</summary>
    public string? NearestSubject(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var row = _vectorizer.Transform([prompt]);
        if (row.Columns(0).IsEmpty)
        {
            return null;
        }

        var best = 0;
        var bestCosine = double.NegativeInfinity;
        for (var k = 0; k < _centroids.Length; k++)
        {
            var cosine = row.Dot(0, _centroids[k]);
            if (cosine > bestCosine)
            {
                (best, bestCosine) = (k, cosine);
            }
        }

        return _subjects[best];
    }

    /// <inheritdoc />
    public double[] Score(IReadOnlyList<RouterSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var scores = new double[samples.Count];
        for (var i = 0; i < scores.Length; i++)
        {
            var sample = samples[i];
            var subject = sample.Subject is { } s && _rates.ContainsKey(s) ? s : NearestSubject(sample.Prompt);
            scores[i] = subject is null ? OverallRate : _rates[subject];
        }

        return scores;
    }
}
