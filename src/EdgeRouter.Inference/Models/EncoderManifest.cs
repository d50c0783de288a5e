using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeRouter.Inference.Models;

/// <summary>
/// Describes a sentence-encoder directory (<c>encoder.json</c>): which files hold the model and tokenizer, how
/// inputs and outputs are named and how token vectors become one sentence vector. A directory without the file
/// is read with Hugging Face export conventions: <c>model.onnx</c>, <c>tokenizer.json</c> or <c>vocab.txt</c>,
/// inputs <c>input_ids</c> / <c>attention_mask</c> / <c>token_type_ids</c>, output <c>last_hidden_state</c>, mean pooling.
/// </summary>
public sealed record EncoderManifest
{
    /// <summary>The manifest's file name inside a model directory.</summary>
    public const string FileName = "encoder.json";

    /// <summary>Model file, relative to the directory.</summary>
    public string Model { get; set; } = "model.onnx";

    /// <summary>Tokenizer file (<c>tokenizer.json</c> or <c>vocab.txt</c>), relative to the directory.</summary>
    public string? Tokenizer { get; set; }

    /// <summary>Longest input in tokens, special tokens included; longer texts keep their head and tail.</summary>
    public int MaxTokens { get; set; } = 128;

    /// <summary><c>mean</c> (average of token vectors), <c>cls</c> (the first token's vector) or <c>pooled</c> (the model outputs the sentence vector).</summary>
    public string Pooling { get; set; } = "mean";

    /// <summary>Scale sentence vectors to unit length, so cosine similarity is a dot product.</summary>
    public bool Normalize { get; set; } = true;

    /// <summary>Graph input names.</summary>
    public EncoderInputs Inputs { get; set; } = new();

    /// <summary>Graph output holding token vectors (<c>[1, seq, dim]</c>) or, with <c>pooled</c>, the sentence vector (<c>[1, dim]</c>).</summary>
    public string Output { get; set; } = "last_hidden_state";

    /// <summary>Reads <c>encoder.json</c> from <paramref name="directory"/>, or returns the defaults when it is absent.</summary>
    /// <exception cref="InvalidDataException">The manifest exists but is not valid; the message says where.</exception>
    public static EncoderManifest Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return new EncoderManifest();
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), InferenceJsonContext.Default.EncoderManifest)
                ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }
}

/// <summary>Input names of an encoder graph; null where the graph has no such input.</summary>
public sealed record EncoderInputs
{
    /// <summary>Token ids.</summary>
    public string InputIds { get; set; } = "input_ids";

    /// <summary>Attention mask (1 for real tokens).</summary>
    public string? AttentionMask { get; set; } = "attention_mask";

    /// <summary>Segment ids (all 0 for one sentence); BERT-style models only.</summary>
    public string? TokenTypeIds { get; set; } = "token_type_ids";
}

/// <summary>Source-generated JSON metadata for model manifests (AOT-safe).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    WriteIndented = true)]
[JsonSerializable(typeof(EncoderManifest))]
[JsonSerializable(typeof(ClassifierManifest))]
internal sealed partial class InferenceJsonContext : JsonSerializerContext;
