using EdgeRouter.Inference.Tokenization;

namespace EdgeRouter.Benchmarks.Inference;

/// <summary>Inputs shared by the inference benchmarks, read from the repository.</summary>
internal static class BenchmarkData
{
    private const string Words =
        "please route this request to the cheapest model that can still answer the question well and explain briefly " +
        "why a gateway in front of several providers saves money while keeping latency low for voice agents and chat";

    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "EdgeRouter.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("Run the benchmarks from inside the repository.");
        }
    }

    public static Tokenizer Tokenizer(string name) => name switch
    {
        "bert-uncased" => EdgeRouter.Inference.Tokenization.Tokenizer.Load(Path.Combine(TokenizerData, "bert-uncased", "tokenizer.json")),
        "modernbert" => EdgeRouter.Inference.Tokenization.Tokenizer.Load(Path.Combine(TokenizerData, "modernbert", "tokenizer.reconstructed.json")),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>A prompt of <paramref name="words"/> English words.</summary>
    public static string Prompt(int words)
    {
        var pool = Words.Split(' ');
        return string.Join(' ', Enumerable.Range(0, words).Select(i => pool[i % pool.Length]));
    }

    private static string TokenizerData => Path.Combine(RepositoryRoot, "tests", "EdgeRouter.Inference.Tests", "TestData", "tokenizers");
}
