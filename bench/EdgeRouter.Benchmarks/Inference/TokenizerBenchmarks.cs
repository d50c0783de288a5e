using BenchmarkDotNet.Attributes;
using EdgeRouter.Inference.Tokenization;

namespace EdgeRouter.Benchmarks.Inference;

/// <summary>Tokenizing one prompt into a caller's span, for each tokenizer family; allocation must stay at zero.</summary>
public class TokenizerBenchmarks
{
    private readonly int[] _ids = new int[512];
    private Tokenizer _tokenizer = null!;
    private string _text = "";

    /// <summary>BERT WordPiece (vocab 30,522) or ModernBERT byte-level BPE (vocab 50,368).</summary>
    [Params("bert-uncased", "modernbert")]
    public string Tokenizer { get; set; } = "bert-uncased";

    /// <summary>Words in the prompt (about 1.3 tokens each).</summary>
    [Params(12, 24, 48, 96)]
    public int Words { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _tokenizer = BenchmarkData.Tokenizer(Tokenizer);
        _text = BenchmarkData.Prompt(Words);
    }

    [Benchmark]
    public int Encode() => _tokenizer.Encode(_text, _ids);
}
