using System.Text;
using System.Text.Json;
using EdgeRouter.Pipeline;
using EdgeRouter.Protocol;

namespace EdgeRouter.Routing.Routers;

/// <summary>
/// What routers read about a request, computed once and shared by every router of the request: the last user
/// message's text, its estimated token count, and the embeddings and head outputs already computed (by encoder and
/// classifier name). Not thread-safe; one instance per request.
/// </summary>
public sealed class PromptFeatures
{
    private readonly Dictionary<string, float[]> _embeddings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, float[]> _predictions = new(StringComparer.Ordinal);

    private readonly RequestContext? _context;

    private PromptFeatures(string text, RequestContext? context = null)
    {
        Text = text;
        _context = context;
    }

    /// <summary>The last user message's text parts joined by newlines; empty when the conversation does not end with a user message.</summary>
    public string Text { get; }

    /// <summary>
    /// The prompt's length in tokens, estimated as UTF-8 bytes / 4 rounded up (OpenAI's rule of thumb for English
    /// with its tokenizers; the providers' own tokenizers differ by model, so no exact count exists before the call).
    /// </summary>
    public int EstimatedTokens => (Encoding.UTF8.GetByteCount(Text) + 3) / 4;

    /// <summary>The features of <paramref name="context"/>'s request, computed on first use.</summary>
    public static PromptFeatures Of(RequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var routing = context.Routing;
        if (routing.Features is PromptFeatures features)
        {
            return features;
        }

        features = new PromptFeatures(LastUserText(context.Request.LastUserContent.Slice(context.Request.Body.Span)), context);
        routing.Features = features;
        return features;
    }

    /// <summary>Features of a bare prompt (evaluation, calibration and tests).</summary>
    public static PromptFeatures OfText(string text) => new(text ?? "");

    /// <summary>The prompt's vector from <paramref name="encoder"/>, computed once per encoder.</summary>
    public float[] Embedding(ITextEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        if (_context is not null)
        {
            return _context.Embed(encoder, Text); // shared with the cache stage, which embeds the same text
        }

        if (!_embeddings.TryGetValue(encoder.Name, out var vector))
        {
            vector = new float[encoder.Dimensions];
            encoder.Encode(Text, vector);
            _embeddings[encoder.Name] = vector;
        }

        return vector;
    }

    /// <summary>The head's probabilities for the prompt, computed once per classifier.</summary>
    public float[] Predict(ITextClassifier classifier, ITextEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        if (!_predictions.TryGetValue(classifier.Name, out var probabilities))
        {
            probabilities = new float[classifier.Labels.Count];
            classifier.Predict(Embedding(encoder), probabilities);
            _predictions[classifier.Name] = probabilities;
        }

        return probabilities;
    }

    /// <summary>The text of a message <c>content</c> value: a string, or the <c>text</c> of each part of an array.</summary>
    internal static string LastUserText(ReadOnlySpan<byte> content)
    {
        if (content.IsEmpty)
        {
            return "";
        }

        var reader = new Utf8JsonReader(content);
        if (!reader.Read())
        {
            return "";
        }

        return MessageContent.ReadText(ref reader, out _);
    }
}
