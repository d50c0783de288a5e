using System.Text.Json;

namespace EdgeRouter.Inference.Models;

/// <summary>
/// Describes a classifier head directory (<c>head.json</c>): a small model that maps a sentence embedding to class
/// scores, with the class labels and how raw outputs become probabilities.
/// </summary>
public sealed record ClassifierManifest
{
    /// <summary>The manifest's file name inside a head directory.</summary>
    public const string FileName = "head.json";

    /// <summary>Model file, relative to the directory.</summary>
    public string Model { get; set; } = "head.onnx";

    /// <summary>Graph input taking the embedding, <c>[1, dim]</c>.</summary>
    public string Input { get; set; } = "embedding";

    /// <summary>Graph output with one score per label, <c>[1, labels]</c>.</summary>
    public string Output { get; set; } = "logits";

    /// <summary>Class labels, in output order.</summary>
    public IReadOnlyList<string> Labels { get; set; } = [];

    /// <summary>How outputs become probabilities: <c>softmax</c> (one label), <c>sigmoid</c> (each label alone) or <c>none</c> (already probabilities).</summary>
    public string Activation { get; set; } = "softmax";

    /// <summary>Reads <c>head.json</c> from <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidDataException">The manifest is missing or invalid; the message says where.</exception>
    public static ClassifierManifest Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path} not found: a classifier head directory needs a {FileName}.");
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), InferenceJsonContext.Default.ClassifierManifest)
                ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }
}
