using EdgeRouter.Pipeline;

namespace EdgeRouter.Routing.Evaluation;

/// <summary>
/// A router backed by a local encoder and classifier head, as the gateway runs them: score = the head's probability
/// of one label (for the shipped router head, <c>needs_strong</c>). Scores prompts in parallel; the models are
/// thread-safe, so is this.
/// </summary>
public sealed class ClassifierScorer : IRouterScorer
{
    private readonly ITextEncoder _encoder;
    private readonly ITextClassifier _classifier;
    private readonly int _label;
    private readonly int _maxParallelism;

    /// <summary>Creates the scorer.</summary>
    /// <param name="name">Router name for reports.</param>
    /// <param name="description">What the score is, for reports.</param>
    /// <param name="encoder">The encoder whose embedding the head reads.</param>
    /// <param name="classifier">The head.</param>
    /// <param name="label">The label whose probability is the score.</param>
    /// <param name="maxParallelism">Most prompts scored at once; 0 means the processor count.</param>
    /// <exception cref="ArgumentException">The head has no such label or reads another encoder's dimensions.</exception>
    public ClassifierScorer(string name, string description, ITextEncoder encoder, ITextClassifier classifier, string label = "needs_strong", int maxParallelism = 0)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(classifier);
        _label = classifier.Labels.ToList().IndexOf(label);
        if (_label < 0)
        {
            throw new ArgumentException($"Classifier '{classifier.Name}' has no label '{label}' (it has {string.Join(", ", classifier.Labels)}).", nameof(label));
        }

        Name = name;
        Description = description;
        _encoder = encoder;
        _classifier = classifier;
        _maxParallelism = maxParallelism > 0 ? maxParallelism : Environment.ProcessorCount;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string Description { get; }

    /// <summary>P(label) of one prompt.</summary>
    public double Score(string prompt)
    {
        var embedding = new float[_encoder.Dimensions];
        var probabilities = new float[_classifier.Labels.Count];
        return Score(prompt, embedding, probabilities);
    }

    /// <inheritdoc />
    public double[] Score(IReadOnlyList<RouterSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var scores = new double[samples.Count];
        Parallel.For(
            0,
            samples.Count,
            new ParallelOptions { MaxDegreeOfParallelism = _maxParallelism },
            () => (new float[_encoder.Dimensions], new float[_classifier.Labels.Count]),
            (i, _, buffers) =>
            {
                scores[i] = Score(samples[i].Prompt, buffers.Item1, buffers.Item2);
                return buffers;
            },
            _ => { });
        return scores;
    }

    private double Score(string prompt, float[] embedding, float[] probabilities)
    {
        _encoder.Encode(prompt, embedding);
        _classifier.Predict(embedding, probabilities);
        return probabilities[_label];
    }
}
