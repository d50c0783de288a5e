using System.Text.Json;
using EdgeRouter.Inference.Models;
using EdgeRouter.Inference.OnnxRuntime;

namespace EdgeRouter.Tests.Models;

/// <summary>
/// The models the project ships (models/), loaded through the gateway's own binding, reproduce what the training
/// pipeline recorded with torch: the same token ids and the same embeddings.
/// </summary>
public class ShippedModelTests
{
    private static OnnxRuntimeLibrary Runtime => OnnxRuntimeLibrary.Load();

    private static string EncoderFolder => Path.Combine(RepositoryRoot(), "models", "edgerouter-encoder");

    /// <summary>The fp32 reference, and the int8 one when the int8 graph ships (its rows then carry <c>embedding_int8</c>).</summary>
    public static TheoryData<string, bool> References()
    {
        var data = new TheoryData<string, bool> { { "embedding", false } };
        if (File.Exists(Path.Combine(EncoderFolder, "model.int8.onnx")))
        {
            data.Add("embedding_int8", true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(References))]
    public void TheEncoderMatchesTheTrainingReference(string field, bool int8)
    {
        const string file = "reference.jsonl";
        using var encoder = SentenceEncoder.Load("edgerouter-encoder", Runtime, EncoderFolder, new SessionSettings(), preferInt8: int8);
        Assert.EndsWith(int8 ? "model.int8.onnx" : "model.onnx", encoder.Session.ModelPath, StringComparison.Ordinal);
        var rows = File.ReadLines(Path.Combine(EncoderFolder, file)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.True(rows.Count >= 10, $"{file} has {rows.Count} rows");
        var ids = new int[encoder.MaxTokens];
        var embedding = new float[encoder.Dimensions];
        foreach (var row in rows)
        {
            var text = row.GetProperty("text").GetString()!;
            var expectedIds = row.GetProperty("ids").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            var count = encoder.Tokenizer.Encode(text, ids);
            Assert.Equal(expectedIds, ids[..count]);

            encoder.Encode(text, embedding);
            var expected = row.GetProperty(field).EnumerateArray().Select(v => v.GetSingle()).ToArray();
            var cosine = 0.0;
            for (var i = 0; i < expected.Length; i++)
            {
                cosine += expected[i] * embedding[i];
            }

            // fp32 must agree with torch to rounding; the int8 graph with the Python emulation of it, closely.
            Assert.True(cosine > (int8 ? 0.999 : 0.99999), $"cosine {cosine} for '{text}'");
        }
    }

    [Theory]
    [InlineData("router-head")]
    [InlineData("clinc150-head")]
    [InlineData("banking77-head")]
    [InlineData("snips-head")]
    [InlineData("injection-head")]
    public void EveryHeadLoadsOnTheEncoderAndGivesAProbabilityPerLabel(string head)
    {
        using var encoder = SentenceEncoder.Load("edgerouter-encoder", Runtime, EncoderFolder, new SessionSettings());
        using var classifier = Classifier.Load(head, Runtime, Path.Combine(RepositoryRoot(), "models", head), new SessionSettings(), encoder.Dimensions);
        var embedding = new float[encoder.Dimensions];
        encoder.Encode("Can you help me transfer money to my savings account?", embedding);
        var probabilities = new float[classifier.Labels.Count];

        classifier.Predict(embedding, probabilities);

        Assert.All(probabilities, p => Assert.InRange(p, 0, 1));
        if (classifier.Manifest.Activation == "softmax")
        {
            Assert.Equal(1, probabilities.Sum(), 3);
        }
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "EdgeRouter.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("EdgeRouter.sln not found above the test binaries.");
    }
}
