using BenchmarkDotNet.Attributes;
using EdgeRouter.Inference.Models;
using EdgeRouter.Inference.OnnxRuntime;

namespace EdgeRouter.Benchmarks.Inference;

/// <summary>
/// The shipped encoder at several input lengths: the whole <c>Encode</c> call (tokenize, run, pool, normalise)
/// against the bare model run on the same preallocated tensors, which is the floor the binding adds to.
/// </summary>
public class EncoderBenchmarks
{
    private SentenceEncoder _encoder = null!;
    private string _text = "";
    private int[] _ids = [];
    private float[] _embedding = [];

    /// <summary>Tokens per input, special tokens included.</summary>
    [Params(16, 32, 64, 128)]
    public int Tokens { get; set; }

    /// <summary>The fp32 graph or the int8 one.</summary>
    [Params(false, true)]
    public bool Int8 { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var folder = Path.Combine(BenchmarkData.RepositoryRoot, "models", "edgerouter-encoder");
        _encoder = SentenceEncoder.Load("bench", OnnxRuntimeLibrary.Load(), folder, new SessionSettings(), Int8);
        var words = Tokens;
        var buffer = new int[_encoder.MaxTokens];
        do
        {
            _text = BenchmarkData.Prompt(words--);
        }
        while (_encoder.Tokenizer.Encode(_text, buffer) > Tokens && words > 0);

        _ids = buffer[.._encoder.Tokenizer.Encode(_text, buffer)];
        _embedding = new float[_encoder.Dimensions];
    }

    [GlobalCleanup]
    public void Cleanup() => _encoder.Dispose();

    [Benchmark(Baseline = true)]
    public void ModelRun() => _encoder.RunModel(_ids);

    [Benchmark]
    public int Encode() => _encoder.Encode(_text, _embedding);
}
