using EdgeRouter.Inference.Models;
using EdgeRouter.Inference.OnnxRuntime;
using EdgeRouter.Tests.OnnxRuntime;

namespace EdgeRouter.Tests.Models;

public class ClassifierTests
{
    private static OnnxRuntimeLibrary Runtime => OnnxRuntimeLibrary.Load();

    private static string HeadFolder => Path.Combine(TestFiles.Models, "tiny-head");

    [Fact]
    public void AHeadMapsAnEmbeddingToOneProbabilityPerLabel()
    {
        using var head = Classifier.Load("tiny", Runtime, HeadFolder, new SessionSettings(), dimensions: 4);
        float[] embedding = [0.2f, 0.4f, -0.6f, 0.8f];
        var probabilities = new float[3];

        head.Predict(embedding, probabilities);

        Assert.Equal(["left", "middle", "right"], head.Labels);
        Assert.Equal(OnnxSessionTests.TinyHead(embedding), probabilities, (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.Equal(1, probabilities.Sum(), 4);
    }

    [Fact]
    public void SoftmaxAndSigmoidAreAppliedToLogits()
    {
        using var temp = TestFiles.TempDirectory();
        File.Copy(Path.Combine(HeadFolder, "head.onnx"), temp.File("head.onnx"));
        File.WriteAllText(temp.File("head.json"), """{"output":"probabilities","labels":["a","b","c"],"activation":"sigmoid"}""");
        using var head = Classifier.Load("sigmoid", Runtime, temp.Path, new SessionSettings(), dimensions: 4);
        float[] embedding = [1, 0, 0, 0];
        var probabilities = new float[3];

        head.Predict(embedding, probabilities);

        var softmax = OnnxSessionTests.TinyHead(embedding);
        Assert.Equal([.. softmax.Select(p => (float)(1 / (1 + Math.Exp(-p))))], probabilities, (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void AHeadForAnotherEmbeddingSizeIsRejected()
    {
        var error = Assert.Throws<InvalidDataException>(() => Classifier.Load("tiny", Runtime, HeadFolder, new SessionSettings(), dimensions: 384));

        Assert.Equal("Classifier 'tiny': input 'embedding' has shape [1, 4]; the encoder gives [1, 384].", error.Message);
    }

    [Fact]
    public void LabelsMustMatchTheOutput()
    {
        using var temp = TestFiles.TempDirectory();
        File.Copy(Path.Combine(HeadFolder, "head.onnx"), temp.File("head.onnx"));
        File.WriteAllText(temp.File("head.json"), """{"output":"probabilities","labels":["a","b"]}""");

        var error = Assert.Throws<InvalidDataException>(() => Classifier.Load("two", Runtime, temp.Path, new SessionSettings(), 4));

        Assert.Equal("Classifier 'two': output 'probabilities' has shape [1, 3] but 2 labels are listed.", error.Message);
    }
}
