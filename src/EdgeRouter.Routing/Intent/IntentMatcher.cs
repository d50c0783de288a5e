using EdgeRouter.Pipeline;
using EdgeRouter.Routing.Routers;

namespace EdgeRouter.Routing.Intent;

/// <summary>
/// Scores a prompt against every intent's example utterances: the score of an intent is the highest cosine
/// similarity between the prompt's embedding and one of its examples (nearest example, which keeps intents with
/// varied phrasings recognisable where a centroid would blur them). Immutable and thread-safe once built.
/// </summary>
public sealed class IntentMatcher
{
    private readonly float[][] _examples;
    private readonly int[] _intentOf;

    /// <summary>Embeds every example of <paramref name="intents"/> with <paramref name="encoder"/>.</summary>
    public IntentMatcher(ITextEncoder encoder, IReadOnlyList<IntentDefinition> intents)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(intents);
        Encoder = encoder;
        Intents = intents;
        var examples = new List<float[]>();
        var owners = new List<int>();
        for (var i = 0; i < intents.Count; i++)
        {
            foreach (var example in intents[i].Examples)
            {
                var vector = new float[encoder.Dimensions];
                encoder.Encode(example, vector);
                Normalize(vector);
                examples.Add(vector);
                owners.Add(i);
            }
        }

        _examples = [.. examples];
        _intentOf = [.. owners];
    }

    /// <summary>The encoder.</summary>
    public ITextEncoder Encoder { get; }

    /// <summary>The intents, in configuration order.</summary>
    public IReadOnlyList<IntentDefinition> Intents { get; }

    /// <summary>Each intent's score for the prompt (one per intent, −1 for intents without examples).</summary>
    public float[] Scores(PromptFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var query = features.Embedding(Encoder);
        var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(query, query));
        var scores = new float[Intents.Count];
        Array.Fill(scores, -1f);
        for (var e = 0; e < _examples.Length; e++)
        {
            var cosine = norm > 0 ? System.Numerics.Tensors.TensorPrimitives.Dot(query, _examples[e]) / norm : 0f;
            ref var best = ref scores[_intentOf[e]];
            best = Math.Max(best, cosine);
        }

        return scores;
    }

    /// <summary>The best intent and its score; the intent is recognised when the score reaches its threshold.</summary>
    public (int Intent, float Score, bool Recognised) Match(PromptFeatures features)
    {
        var scores = Scores(features);
        var best = 0;
        for (var i = 1; i < scores.Length; i++)
        {
            if (scores[i] > scores[best])
            {
                best = i;
            }
        }

        return (best, scores[best], scores.Length > 0 && scores[best] >= Intents[best].Threshold);
    }

    private static void Normalize(Span<float> vector)
    {
        var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(vector, vector));
        if (norm > 0)
        {
            System.Numerics.Tensors.TensorPrimitives.Divide(vector, norm, vector);
        }
    }
}
