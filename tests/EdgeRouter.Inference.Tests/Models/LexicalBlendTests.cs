using EdgeRouter.Inference.Models;

namespace EdgeRouter.Tests.Models;

/// <summary>
/// The lexical half of a calibrated similarity reproduces the training pipeline's character n-gram TF-IDF cosine
/// (models/training/lexical.py); expected values were computed there with the IDF table in TestData.
/// </summary>
public class LexicalBlendTests
{
    private static string Folder => Path.Combine(AppContext.BaseDirectory, "TestData", "models", "lexical-blend");

    private static LexicalBlend Blend => LexicalBlend.TryLoad(Folder)!;

    [Theory]
    [InlineData("How do I reset my password?", "how can i reset my password", 0.888429)]
    [InlineData("A man is playing a flute.", "A man plays the flute.", 0.769134)]
    [InlineData("The cat sat on the mat", "Stock markets fell sharply today", 0.007595)]
    [InlineData("a", "a b", 1.0)]
    [InlineData("", "anything", 0.0)]
    public void TheLexicalCosineMatchesThePipeline(string a, string b, double expected)
    {
        Assert.Equal(expected, Blend.LexicalCosine(a, b), 4);
        Assert.Equal(expected, Blend.LexicalCosine(b, a), 4);
    }

    [Fact]
    public void TheScoreBlendsCosineAndLexicalByTheCalibratedWeight()
    {
        var blend = Blend;
        var lexical = blend.LexicalCosine("A man is playing a flute.", "A man plays the flute.");

        Assert.Equal(0.55f, blend.EmbeddingWeight);
        Assert.Equal((0.55 * 0.8) + (0.45 * lexical), blend.Score(0.8f, "A man is playing a flute.", "A man plays the flute."), 5);
        Assert.Equal((0.55 * 0.8) + 0.45, blend.UpperBound(0.8f), 5);
        Assert.True(blend.Score(0.8f, "same words", "same words") <= blend.UpperBound(0.8f) + 1e-6);
    }

    [Fact]
    public void AFolderWithoutCalibrationHasNone()
    {
        Assert.Null(LexicalBlend.TryLoad(Path.Combine(AppContext.BaseDirectory, "TestData", "models", "tiny-encoder")));
    }

    [Fact]
    public void AMalformedCalibrationIsRejectedWithItsPath()
    {
        var folder = Directory.CreateTempSubdirectory("edgerouter-blend-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "calibration.json"), """{"similarity":{"embeddingWeight":1.5,"lexical":{"analyzer":"char_wb","ngramMin":3,"ngramMax":5,"idfFile":"idf.json"}}}""");
            var error = Assert.Throws<InvalidDataException>(() => LexicalBlend.TryLoad(folder));
            Assert.Contains("embeddingWeight", error.Message, StringComparison.Ordinal);

            File.WriteAllText(Path.Combine(folder, "calibration.json"), """{"similarity":{"embeddingWeight":0.5,"lexical":{"analyzer":"word","ngramMin":1,"ngramMax":2,"idfFile":"idf.json"}}}""");
            Assert.Throws<InvalidDataException>(() => LexicalBlend.TryLoad(folder));

            File.WriteAllText(Path.Combine(folder, "calibration.json"), """{"similarity":{"embeddingWeight":0.5,"lexical":{"analyzer":"char_wb","ngramMin":3,"ngramMax":5,"idfFile":"missing.json"}}}""");
            error = Assert.Throws<InvalidDataException>(() => LexicalBlend.TryLoad(folder));
            Assert.Contains("calibration.json", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
