using EdgeRouter.Inference.Models;
using EdgeRouter.Inference.OnnxRuntime;

namespace EdgeRouter.Tests.Models;

public class SentenceEncoderTests
{
    private static readonly SessionSettings Settings = new();

    private static OnnxRuntimeLibrary Runtime => OnnxRuntimeLibrary.Load();

    private static SentenceEncoder Load(string folder) => SentenceEncoder.Load(folder, Runtime, Path.Combine(TestFiles.Models, folder), Settings);

    private static int[] Ids(params string[] tokens) => [.. tokens.Select(TinyModels.Id)];

    [Fact]
    public void MeanPoolingAveragesEveryTokenAndNormalises()
    {
        using var encoder = Load("tiny-encoder");
        var embedding = new float[encoder.Dimensions];

        var count = encoder.Encode("The cat sat", embedding);

        Assert.Equal(5, count);
        Assert.Equal(TinyModels.Hidden, encoder.Dimensions);
        var expected = TinyModels.Mean(Ids("[CLS]", "the", "cat", "sat", "[SEP]"), normalize: true);
        Assert.Equal(expected, embedding, (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void APooledOutputIsUsedAsIs()
    {
        using var encoder = Load("tiny-pooled");
        var embedding = new float[encoder.Dimensions];

        encoder.Encode("hello world", embedding);

        var expected = TinyModels.Mean(Ids("[CLS]", "hello", "world", "[SEP]"), normalize: false);
        Assert.Equal(expected, embedding, (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void LongInputsAreTruncatedToMaxTokensKeepingHeadAndTail()
    {
        using var encoder = Load("tiny-encoder");
        var embedding = new float[encoder.Dimensions];
        var words = string.Join(' ', Enumerable.Repeat("one two three", 10)) + " nine ten";

        var count = encoder.Encode(words, embedding);

        Assert.Equal(16, count);
        var tokens = new int[16];
        encoder.Tokenizer.Encode(words, tokens);
        Assert.Equal(TinyModels.Id("ten"), tokens[14]);
        Assert.Equal(TinyModels.Mean(tokens, normalize: true), embedding, (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void EverySequenceLengthGivesTheSameResultAsAFreshRun()
    {
        using var encoder = Load("tiny-encoder");
        string[] texts = ["the", "the cat", "a dog ran in the park", "good morning", "the cat", "i read and write code", "the"];
        var results = texts.Select(t =>
        {
            var e = new float[encoder.Dimensions];
            encoder.Encode(t, e);
            return e;
        }).ToList();

        Assert.Equal(results[1], results[4]);
        Assert.Equal(results[0], results[6]);
        Assert.NotEqual(results[0], results[1]);
    }

    [Fact]
    public async Task ConcurrentCallersGetTheSameVectors()
    {
        using var encoder = Load("tiny-encoder");
        string[] texts = ["the cat sat on the mat", "hello world", "how are you ?", "a big red dog ran"];
        var expected = texts.Select(t =>
        {
            var e = new float[encoder.Dimensions];
            encoder.Encode(t, e);
            return e;
        }).ToArray();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            var e = new float[encoder.Dimensions];
            for (var i = 0; i < 500; i++)
            {
                var k = (worker + i) % texts.Length;
                encoder.Encode(texts[k], e);
                Assert.Equal(expected[k], e);
            }
        })));
    }

    [Fact]
    public void AHuggingFaceExportLoadsWithoutAManifest()
    {
        using var temp = TestFiles.TempDirectory();
        File.Copy(Path.Combine(TestFiles.Models, "tiny-encoder", "model.onnx"), temp.File("model.onnx"));
        File.Copy(Path.Combine(TestFiles.Models, "tiny-encoder", "vocab.txt"), temp.File("vocab.txt"));
        using var manifestEncoder = Load("tiny-encoder");
        using var bare = SentenceEncoder.Load("bare", Runtime, temp.Path, Settings);
        var a = new float[4];
        var b = new float[4];

        manifestEncoder.Encode("two blue cats", a);
        bare.Encode("two blue cats", b);

        Assert.Equal(128, bare.MaxTokens);
        Assert.Equal(a, b);
    }

    [Theory]
    [InlineData("""{"output":"pooled_output"}""", "the model has no output 'pooled_output' (it has last_hidden_state)")]
    [InlineData("""{"pooling":"max"}""", "pooling must be 'mean', 'cls' or 'pooled', got 'max'")]
    [InlineData("""{"inputs":{"inputIds":"ids"}}""", "model input 'input_ids' is not one the manifest names")]
    [InlineData("""{"pooling":"pooled"}""", "must be float with rank 2 for pooling 'pooled'")]
    [InlineData("""{"maxTokens":1}""", "maxTokens must be in [2, 8192], got 1")]
    [InlineData("""{"tokenizer":"missing.json"}""", "missing.json")]
    public void AManifestThatDoesNotFitTheModelIsRejectedWithAReason(string manifest, string reason)
    {
        using var temp = TestFiles.TempDirectory();
        File.Copy(Path.Combine(TestFiles.Models, "tiny-encoder", "model.onnx"), temp.File("model.onnx"));
        File.Copy(Path.Combine(TestFiles.Models, "tiny-encoder", "vocab.txt"), temp.File("vocab.txt"));
        File.WriteAllText(temp.File("encoder.json"), manifest);

        var error = Assert.ThrowsAny<Exception>(() => SentenceEncoder.Load("broken", Runtime, temp.Path, Settings));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADirectoryWithoutATokenizerIsRejected()
    {
        using var temp = TestFiles.TempDirectory();
        File.Copy(Path.Combine(TestFiles.Models, "tiny-encoder", "model.onnx"), temp.File("model.onnx"));

        var error = Assert.Throws<InvalidDataException>(() => SentenceEncoder.Load("no-tokenizer", Runtime, temp.Path, Settings));

        Assert.Equal($"Encoder 'no-tokenizer': no tokenizer.json or vocab.txt in {temp.Path}.", error.Message);
    }
}

/// <summary>
/// Bringing your own model: a Hugging Face ONNX export (model.onnx with input_ids / attention_mask and
/// last_hidden_state, next to its tokenizer.json) loads without any manifest, for both tokenizer families.
/// </summary>
public class BringYourOwnModelTests
{
    private static OnnxRuntimeLibrary Runtime => OnnxRuntimeLibrary.Load();

    [Theory]
    [InlineData("modernbert/tokenizer.reconstructed.json")]
    [InlineData("bert-uncased/tokenizer.json")]
    public void AnExportWithItsTokenizerJsonLoadsWithHuggingFaceDefaults(string tokenizer)
    {
        using var temp = TestFiles.TempDirectory();
        File.Copy(Path.Combine(TestFiles.Models, "tiny-modulo", "model.onnx"), temp.File("model.onnx"));
        File.Copy(Path.Combine(TestFiles.Tokenizers, tokenizer), temp.File("tokenizer.json"));
        using var encoder = SentenceEncoder.Load("byo", Runtime, temp.Path, new SessionSettings());
        const string text = "Résumé of the café: 3 lattes ☕, 2 croissants 🥐";
        var embedding = new float[encoder.Dimensions];

        var count = encoder.Encode(text, embedding);

        var ids = new int[encoder.MaxTokens];
        Assert.Equal(count, encoder.Tokenizer.Encode(text, ids));
        Assert.Equal(encoder.Tokenizer.Special.Cls, ids[0]);
        var expected = TinyModels.Mean([.. ids[..count].Select(id => id % 64)], normalize: true);
        Assert.Equal(expected, embedding, (a, b) => Math.Abs(a - b) < 1e-5);
    }
}
