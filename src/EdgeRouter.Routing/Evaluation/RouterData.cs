using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace EdgeRouter.Routing.Evaluation;

/// <summary>
/// The rows a router may be trained or tuned on: <c>router/mmlu.jsonl</c> split <c>train</c>, all of it (its 4
/// contaminated rows included: contamination matters for evaluation rows, and the shipped head was trained the same
/// way). Immutable.
/// </summary>
public sealed class RouterTrainingSet
{
    internal RouterTrainingSet(IReadOnlyList<string> ids, IReadOnlyList<RouterSample> samples, bool[] strongCorrect, bool[] weakCorrect)
    {
        Ids = ids;
        Samples = samples;
        StrongCorrect = strongCorrect;
        WeakCorrect = weakCorrect;
        NeedsStrong = [.. weakCorrect.Select(w => !w)];
        StrongFixes = [.. strongCorrect.Zip(weakCorrect, (s, w) => s && !w)];
    }

    /// <summary>Each row's <c>id</c>, in file order.</summary>
    public IReadOnlyList<string> Ids { get; }

    /// <summary>The training prompts, each with its MMLU subject.</summary>
    public IReadOnlyList<RouterSample> Samples { get; }

    /// <summary>Whether the strong model answered each prompt correctly.</summary>
    public IReadOnlyList<bool> StrongCorrect { get; }

    /// <summary>Whether the weak model answered each prompt correctly.</summary>
    public IReadOnlyList<bool> WeakCorrect { get; }

    /// <summary>The training label, <see cref="RouterData.NeedsStrongDefinition"/>.</summary>
    public IReadOnlyList<bool> NeedsStrong { get; }

    /// <summary>
    /// The alternative label <see cref="RouterData.StrongFixesDefinition"/>: the prompts where routing to the strong
    /// model changes the outcome (a subset of <see cref="NeedsStrong"/> without the prompts both models get wrong).
    /// </summary>
    public IReadOnlyList<bool> StrongFixes { get; }
}

/// <summary>
/// The strong-vs-weak routing data of the shared data folder (<c>router/</c>), split as its rules require: training
/// rows (MMLU train only) apart from evaluation benchmarks (MMLU test, GSM8K, MT-Bench routed on the first turn), with
/// contaminated evaluation rows removed as RouteLLM does. Immutable.
/// </summary>
public sealed class RouterData
{
    /// <summary>The strong model of every row.</summary>
    public const string StrongModel = "gpt-4-1106-preview";

    /// <summary>The weak model of every row.</summary>
    public const string WeakModel = "Mixtral-8x7B-Instruct-v0.1";

    /// <summary>The "needs the strong model" label: the shipped router head's training label (<c>models/training/data.py</c>).</summary>
    public const string NeedsStrongDefinition = "weak model wrong";

    /// <summary>The label of prompts the strong model fixes, where routing changes the outcome.</summary>
    public const string StrongFixesDefinition = "strong model right and weak model wrong";

    private RouterData(string directory, RouterTrainingSet train, IReadOnlyList<RouterBenchmark> benchmarks)
    {
        Directory = directory;
        Train = train;
        Benchmarks = benchmarks;
    }

    /// <summary>The <c>router/</c> folder the data was read from.</summary>
    public string Directory { get; }

    /// <summary>Rows a router may be trained or tuned on.</summary>
    public RouterTrainingSet Train { get; }

    /// <summary>Evaluation benchmarks, in report order: <c>mmlu</c>, <c>gsm8k</c>, <c>mt-bench</c>.</summary>
    public IReadOnlyList<RouterBenchmark> Benchmarks { get; }

    /// <summary>
    /// Finds the <c>router/</c> folder under <paramref name="dataDirectory"/> (the shared data folder, or the router
    /// folder itself).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">Neither exists; the message names the paths tried.</exception>
    public static string ResolveRouterDirectory(string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(dataDirectory);
        var full = Path.GetFullPath(dataDirectory);
        var router = Path.Combine(full, "router");
        if (File.Exists(Path.Combine(router, "mmlu.jsonl")))
        {
            return router;
        }

        if (File.Exists(Path.Combine(full, "mmlu.jsonl")))
        {
            return full;
        }

        throw new DirectoryNotFoundException(
            $"No router data in {full}: expected {Path.Combine(router, "mmlu.jsonl")} (pass the shared data folder with --data DIR).");
    }

    /// <summary>Reads <c>mmlu.jsonl</c>, <c>gsm8k.jsonl</c> and <c>mtbench.jsonl</c>.</summary>
    /// <exception cref="DirectoryNotFoundException">No router data folder.</exception>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A line is not a valid row; the message gives the file and line.</exception>
    public static RouterData Load(string dataDirectory)
    {
        var directory = ResolveRouterDirectory(dataDirectory);
        var mmlu = ReadRows(Path.Combine(directory, "mmlu.jsonl"), RouterDataJsonContext.Default.MmluRow);
        var gsm8k = ReadRows(Path.Combine(directory, "gsm8k.jsonl"), RouterDataJsonContext.Default.Gsm8kRow);
        var mtBench = ReadRows(Path.Combine(directory, "mtbench.jsonl"), RouterDataJsonContext.Default.MtBenchRow);

        var unknownSplit = mmlu.FirstOrDefault(r => r.Row.Split is not ("train" or "test"));
        if (unknownSplit.Row is not null)
        {
            throw new InvalidDataException($"mmlu.jsonl line {unknownSplit.Line}: split '{unknownSplit.Row.Split}' is neither train nor test.");
        }

        var train = mmlu.Where(r => r.Row.Split == "train").Select(r => r.Row).ToList();
        var trainingSet = new RouterTrainingSet(
            [.. train.Select(r => r.Id)],
            [.. train.Select(r => new RouterSample(r.Prompt, r.Subject))],
            [.. train.Select(r => r.StrongCorrect)],
            [.. train.Select(r => r.WeakCorrect)]);

        var test = mmlu.Where(r => r.Row.Split == "test").Select(r => r.Row).ToList();
        var mmluTest = test.Where(r => !r.Contaminated).ToList();
        var gsm8kClean = gsm8k.Select(r => r.Row).Where(r => !r.Contaminated).ToList();
        var badTurns = mtBench.FirstOrDefault(r => r.Row.Turns.Count == 0);
        if (badTurns.Row is not null)
        {
            throw new InvalidDataException($"mtbench.jsonl line {badTurns.Line}: no turns.");
        }

        var mtBenchClean = mtBench.Select(r => r.Row).Where(r => !r.Contaminated).ToList();
        RouterBenchmark[] benchmarks =
        [
            new("mmlu", "MMLU (test split)", "accuracy %",
                [.. mmluTest.Select(r => new RouterSample(r.Prompt, r.Subject))],
                [.. mmluTest.Select(r => Percent(r.StrongCorrect))], [.. mmluTest.Select(r => Percent(r.WeakCorrect))],
                test.Count - mmluTest.Count, [.. mmluTest.Select(r => !r.WeakCorrect)], NeedsStrongDefinition),
            new("gsm8k", "GSM8K", "accuracy %",
                [.. gsm8kClean.Select(r => new RouterSample(r.Prompt))],
                [.. gsm8kClean.Select(r => Percent(r.StrongCorrect))], [.. gsm8kClean.Select(r => Percent(r.WeakCorrect))],
                gsm8k.Count - gsm8kClean.Count, [.. gsm8kClean.Select(r => !r.WeakCorrect)], NeedsStrongDefinition),
            new("mt-bench", "MT-Bench (routed on the first turn)", "mean GPT-4 judge score, 1–10",
                [.. mtBenchClean.Select(r => new RouterSample(r.Turns[0]))],
                [.. mtBenchClean.Select(r => r.StrongScore)], [.. mtBenchClean.Select(r => r.WeakScore)],
                mtBench.Count - mtBenchClean.Count, null, null),
        ];
        return new RouterData(directory, trainingSet, benchmarks);
    }

    /// <summary>
    /// Reads the <c>prompt</c> field of every row of a JSON Lines traffic sample, skipping rows whose <c>split</c> is
    /// <c>test</c> or <c>oos_test</c> (evaluation-only rows must never tune anything).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="skippedEvaluationRows">How many rows were skipped for their split.</param>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">A line has no <c>prompt</c> string; the message gives the line.</exception>
    public static IReadOnlyList<string> ReadPrompts(string path, out int skippedEvaluationRows)
    {
        var rows = ReadRows(path, RouterDataJsonContext.Default.PromptRow);
        var kept = rows.Where(r => r.Row.Split is not ("test" or "oos_test")).Select(r => r.Row.Prompt).ToList();
        skippedEvaluationRows = rows.Count - kept.Count;
        return kept;
    }

    private static double Percent(bool correct) => correct ? 100 : 0;

    private static List<(T Row, int Line)> ReadRows<T>(string path, JsonTypeInfo<T> type)
        where T : class
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} does not exist.", path);
        }

        var rows = new List<(T, int)>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                rows.Add((JsonSerializer.Deserialize(line, type) ?? throw new JsonException("the line is null"), number));
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{Path.GetFileName(path)} line {number}: {ex.Message}", ex);
            }
        }

        return rows;
    }
}
