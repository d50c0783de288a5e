using System.Diagnostics.CodeAnalysis;

namespace EdgeRouter.Pipeline;

/// <summary>
/// The in-process models stages may use: sentence encoders and classifier heads, by configured name. Built once at
/// startup; thread-safe.
/// </summary>
public interface ILocalModels
{
    /// <summary>Configured encoder names.</summary>
    IReadOnlyCollection<string> EncoderNames { get; }

    /// <summary>Configured classifier names.</summary>
    IReadOnlyCollection<string> ClassifierNames { get; }

    /// <summary>Finds an encoder by name.</summary>
    bool TryGetEncoder(string name, [NotNullWhen(true)] out ITextEncoder? encoder);

    /// <summary>Finds a classifier by name.</summary>
    bool TryGetClassifier(string name, [NotNullWhen(true)] out ITextClassifier? classifier);
}

/// <summary>Turns text into a fixed-length vector. Thread-safe; allocation-free per call after warm-up.</summary>
public interface ITextEncoder
{
    /// <summary>The configured name.</summary>
    string Name { get; }

    /// <summary>Vector length.</summary>
    int Dimensions { get; }

    /// <summary>Longest input in tokens; longer texts keep their head and tail.</summary>
    int MaxTokens { get; }

    /// <summary>Writes the vector of <paramref name="text"/> (unit length for normalising encoders); returns the tokens seen.</summary>
    int Encode(ReadOnlySpan<char> text, Span<float> embedding);

    /// <summary>
    /// How two texts' similarity is scored beyond the cosine of their vectors, when the model ships a calibration for
    /// it (e.g. a blend with a lexical score that measured better); null means the cosine alone.
    /// </summary>
    ITextSimilarity? Similarity => null;
}

/// <summary>A text-pair similarity calibrated for one encoder. Thread-safe.</summary>
public interface ITextSimilarity
{
    /// <summary>The similarity of <paramref name="a"/> and <paramref name="b"/> whose vectors have cosine <paramref name="cosine"/>.</summary>
    float Score(float cosine, string a, string b);

    /// <summary>The highest <see cref="Score"/> any pair with this cosine can reach (to stop scanning candidates early).</summary>
    float UpperBound(float cosine);
}

/// <summary>Maps an encoder's vector to one probability per label. Thread-safe; allocation-free per call.</summary>
public interface ITextClassifier
{
    /// <summary>The configured name.</summary>
    string Name { get; }

    /// <summary>The encoder whose vectors it reads.</summary>
    string Encoder { get; }

    /// <summary>Labels, in the order of the probabilities.</summary>
    IReadOnlyList<string> Labels { get; }

    /// <summary>Writes one probability per label.</summary>
    void Predict(ReadOnlySpan<float> embedding, Span<float> probabilities);
}

/// <summary>An <see cref="ILocalModels"/> with nothing in it, for gateways that run no local models.</summary>
public sealed class NoLocalModels : ILocalModels
{
    /// <summary>The shared instance.</summary>
    public static NoLocalModels Instance { get; } = new();

    /// <inheritdoc />
    public IReadOnlyCollection<string> EncoderNames => [];

    /// <inheritdoc />
    public IReadOnlyCollection<string> ClassifierNames => [];

    /// <inheritdoc />
    public bool TryGetEncoder(string name, [NotNullWhen(true)] out ITextEncoder? encoder)
    {
        encoder = null;
        return false;
    }

    /// <inheritdoc />
    public bool TryGetClassifier(string name, [NotNullWhen(true)] out ITextClassifier? classifier)
    {
        classifier = null;
        return false;
    }
}
