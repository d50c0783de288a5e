using System.Diagnostics.CodeAnalysis;
using System.Text;
using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;
using EdgeRouter.Protocol;
using Microsoft.AspNetCore.Http;

namespace EdgeRouter.Tests.Routers;

/// <summary>A catalog of three priced models, fake local models, and request contexts for router tests.</summary>
internal static class RoutingKit
{
    public const string Providers = """
        "inference": { "encoders": { "default": { "path": "unused" } }, "classifiers": { "router": { "path": "unused" } } },
        "providers": [ { "name": "p", "baseUrl": "http://127.0.0.1:1/v1", "models": [
          { "name": "cheap", "inputPricePerMillion": 0.15, "outputPricePerMillion": 0.6 },
          { "name": "mid", "inputPricePerMillion": 1, "outputPricePerMillion": 4 },
          { "name": "strong", "inputPricePerMillion": 5, "outputPricePerMillion": 15 },
          { "name": "e", "kind": "embedding" } ] } ]
        """;

    public static readonly ModelCatalog Catalog = ConfigLoader.Load(Encoding.UTF8.GetBytes("{" + Providers + "}"), new StageRegistry([]), _ => null)
        .Value!.Catalog;

    public static IReadOnlyList<ModelTarget> Models(params string[] names) =>
        [.. names.Select(n => Catalog.TryGet("p/" + n, out var t) ? t : throw new ArgumentException(n))];

    public static IReadOnlyList<ModelTarget> Three => Models("cheap", "mid", "strong");

    public static RequestContext Context(string prompt, IReadOnlyList<ModelTarget>? models = null, string tenant = RequestContext.DefaultTenant,
        IDictionary<string, string>? headers = null, string extraBody = "", string? messagesJson = null)
    {
        var messages = messagesJson ?? $$"""[{"role":"user","content":{{System.Text.Json.JsonSerializer.Serialize(prompt, TestJson.Default.String)}}}]""";
        var body = Encoding.UTF8.GetBytes($$"""{"model":"auto","messages":{{messages}}{{extraBody}}}""");
        var request = ChatRequestParser.Parse(body, out var error) ?? throw new ArgumentException(error!.Message);
        var headerDictionary = new HeaderDictionary();
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            headerDictionary[name] = value;
        }

        return new RequestContext("req", "auto", request, headerDictionary) { RouteModels = models ?? Three, Tenant = tenant };
    }

    /// <summary>Services with the fake encoder and a classifier whose P(needs_strong) the test controls.</summary>
    public static StageServices Services(IReadOnlyList<ModelTarget>? routeModels = null, Func<string, float>? needsStrong = null,
        IServiceProvider? services = null) =>
        new(Catalog, new FakeModels(needsStrong ?? (_ => 0.5f)), services) { RouteModels = routeModels ?? Three };
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class TestJson : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>
/// A deterministic encoder: each word adds a fixed pseudo-random unit vector, so texts sharing words are similar.
/// Each vector remembers its text so the fake classifier can answer by text.
/// </summary>
internal sealed class FakeEncoder : ITextEncoder
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Texts = new();

    /// <summary>The text whose embedding this is.</summary>
    public static string TextOf(ReadOnlySpan<float> embedding) => Texts.GetValueOrDefault(Key(embedding), "");

    private static string Key(ReadOnlySpan<float> embedding) => string.Join(",", embedding[..8].ToArray());

    public string Name => "default";

    public int Dimensions => 64;

    public int MaxTokens => 512;

    public int Encode(ReadOnlySpan<char> text, Span<float> embedding)
    {
        var whole = text.ToString();
        embedding.Clear();
        var words = whole.ToLowerInvariant().Split([' ', '?', '!', '.', ','], StringSplitOptions.RemoveEmptyEntries);
        foreach (var word in words)
        {
            var random = new Random(StableHash(word));
            for (var i = 0; i < embedding.Length; i++)
            {
                embedding[i] += (float)(random.NextDouble() - 0.5);
            }
        }

        var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(embedding, embedding));
        if (norm > 0)
        {
            System.Numerics.Tensors.TensorPrimitives.Divide(embedding, norm, embedding);
        }

        Texts[Key(embedding)] = whole;
        return words.Length;
    }

    private static int StableHash(string word)
    {
        var hash = 17;
        foreach (var c in word)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash;
    }
}

/// <summary>A two-label head (<c>weak_ok</c>, <c>needs_strong</c>) whose answer comes from the embedded text.</summary>
internal sealed class FakeClassifier(Func<string, float> needsStrong) : ITextClassifier
{
    public string Name => "router";

    public string Encoder => "default";

    public IReadOnlyList<string> Labels => ["weak_ok", "needs_strong"];

    public int Calls { get; private set; }

    public void Predict(ReadOnlySpan<float> embedding, Span<float> probabilities)
    {
        Calls++;
        var p = needsStrong(FakeEncoder.TextOf(embedding));
        probabilities[0] = 1 - p;
        probabilities[1] = p;
    }
}

internal sealed class FakeModels(Func<string, float> needsStrong) : ILocalModels
{
    public FakeEncoder Encoder { get; } = new();

    public FakeClassifier Classifier { get; } = new(needsStrong);

    public IReadOnlyCollection<string> EncoderNames => ["default"];

    public IReadOnlyCollection<string> ClassifierNames => ["router"];

    public bool TryGetEncoder(string name, [NotNullWhen(true)] out ITextEncoder? encoder)
    {
        encoder = name == "default" ? Encoder : null;
        return encoder is not null;
    }

    public bool TryGetClassifier(string name, [NotNullWhen(true)] out ITextClassifier? classifier)
    {
        classifier = name == "router" ? Classifier : null;
        return classifier is not null;
    }
}
