using System.Globalization;

namespace EdgeRouter.CacheBench;

/// <summary>Command-line settings; relative paths start at the repository root.</summary>
internal sealed record Options
{
    public const string Usage = """
        usage: cachebench quality|lookup|all [options]
          --model DIR          encoder directory (default models/edgerouter-encoder)
          --int8               prefer model.int8.onnx when the directory has one
          --calibrated         score pairs with the encoder's calibration.json (a cache stage's similarity: "calibrated")
          --data DIR           data sets (default ../shared/data)
          --json FILE          also write the results as JSON
          --threads N          encoding threads for the data sets (default: cores); timings are single-threaded
          lookup mode:
          --entries N          cache size (default 100000)
          --real N             real sentence embeddings among the entries, the rest synthetic (default 40000)
          --held-out N         real sentences kept out of the cache as miss queries (default 5000)
          --lookups N          timed lookups (default 20000; half near a cached entry, half held out)
          --encode-lookups N   timed encode+lookup calls on prompts of --prompt-tokens tokens (default 2000)
          --prompt-tokens N    tokens per encode+lookup prompt, special tokens included (default 32)
          --threshold X        similarity threshold of the lookups (default 0.97, the gateway's)
          --entry-noise X      norm of the Gaussian noise of a synthetic entry before renormalising (default 0.5)
          --query-noise X      norm of the noise of a query made from a cached entry (default 0.15)
          --seed N             random seed (default 42)
        """;

    public required string Mode { get; init; }

    public required string RepositoryRoot { get; init; }

    public required string ModelDirectory { get; init; }

    public required string DataDirectory { get; init; }

    public bool Int8 { get; init; }

    /// <summary>Score with the encoder's calibrated similarity instead of the cosine.</summary>
    public bool Calibrated { get; init; }

    public string? JsonPath { get; init; }

    public int Threads { get; init; } = Environment.ProcessorCount;

    public int Entries { get; init; } = 100_000;

    public int RealEntries { get; init; } = 40_000;

    public int HeldOut { get; init; } = 5_000;

    public int Lookups { get; init; } = 20_000;

    public int EncodeLookups { get; init; } = 2_000;

    public int PromptTokens { get; init; } = 32;

    public double Threshold { get; init; } = 0.92;

    public double EntryNoise { get; init; } = 0.5;

    public double QueryNoise { get; init; } = 0.15;

    public int Seed { get; init; } = 42;

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> naming the first bad option.</summary>
    public static Options Parse(string[] args, string root)
    {
        if (args.Length == 0 || args[0] is not ("quality" or "lookup" or "all"))
        {
            throw new ArgumentException("the first argument must be the mode: quality, lookup or all");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var int8 = false;
        var calibrated = false;
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == "--int8")
            {
                int8 = true;
            }
            else if (args[i] == "--calibrated")
            {
                calibrated = true;
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
            {
                values[args[i]] = args[++i];
            }
            else
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            }
        }

        string Text(string name, string fallback) => values.Remove(name, out var value) ? value : fallback;
        int Int(string name, int fallback) => int.Parse(Text(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        double Real(string name, double fallback) =>
            double.Parse(Text(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        string Dir(string name, string fallback) => Path.GetFullPath(Path.Combine(root, Text(name, fallback)));

        var options = new Options
        {
            Mode = args[0],
            RepositoryRoot = root,
            ModelDirectory = Dir("--model", "models/edgerouter-encoder"),
            DataDirectory = Dir("--data", "../shared/data"),
            Int8 = int8,
            Calibrated = calibrated,
            JsonPath = values.ContainsKey("--json") ? Path.GetFullPath(Text("--json", "")) : null,
            Threads = Int("--threads", Environment.ProcessorCount),
            Entries = Int("--entries", 100_000),
            RealEntries = Int("--real", 40_000),
            HeldOut = Int("--held-out", 5_000),
            Lookups = Int("--lookups", 20_000),
            EncodeLookups = Int("--encode-lookups", 2_000),
            PromptTokens = Int("--prompt-tokens", 32),
            Threshold = Real("--threshold", 0.97),
            EntryNoise = Real("--entry-noise", 0.5),
            QueryNoise = Real("--query-noise", 0.15),
            Seed = Int("--seed", 42),
        };
        if (values.Count > 0)
        {
            throw new ArgumentException($"unknown option '{values.Keys.First()}'");
        }

        return options;
    }
}
