using EdgeRouter.Routing.Evaluation;

namespace EdgeRouter.Replay;

/// <summary>One labeled prompt: its id, text and whether each model answers it correctly (as the dataset says).</summary>
/// <param name="Id">Unique id, e.g. <c>mmlu/17</c>.</param>
/// <param name="Benchmark">The benchmark it comes from.</param>
/// <param name="Prompt">The text sent as the user message.</param>
/// <param name="StrongCorrect">Whether the strong model's answer is right.</param>
/// <param name="WeakCorrect">Whether the weak (cheap) model's answer is right.</param>
internal sealed record ReplayPrompt(string Id, string Benchmark, string Prompt, bool StrongCorrect, bool WeakCorrect);

/// <summary>
/// The traffic a replay sends to every technique, in the same order: a seeded sample of evaluation prompts (MMLU
/// test and GSM8K, contaminated rows excluded; MT-Bench has scores, not right/wrong answers, so it is left out),
/// shuffled, with a share of exact repeats of earlier prompts mixed in (what a cache can serve).
/// </summary>
internal sealed class ReplayTraffic
{
    private ReplayTraffic(IReadOnlyList<ReplayPrompt> prompts, IReadOnlyList<ReplayPrompt> requests)
    {
        Prompts = prompts;
        Requests = requests;
    }

    /// <summary>The distinct prompts.</summary>
    public IReadOnlyList<ReplayPrompt> Prompts { get; }

    /// <summary>The requests in sending order (repeats included).</summary>
    public IReadOnlyList<ReplayPrompt> Requests { get; }

    /// <summary>Samples <paramref name="perBenchmark"/> prompts from each binary benchmark and mixes in repeats.</summary>
    public static ReplayTraffic Build(RouterData data, int perBenchmark, double repeatShare, int seed)
    {
        var random = new Random(seed);
        var prompts = new List<ReplayPrompt>();
        foreach (var benchmark in data.Benchmarks.Where(b => b.Name is "mmlu" or "gsm8k"))
        {
            var indexes = Enumerable.Range(0, benchmark.Samples.Count).OrderBy(_ => random.Next()).Take(perBenchmark);
            foreach (var i in indexes)
            {
                prompts.Add(new ReplayPrompt($"{benchmark.Name}/{i}", benchmark.Name, benchmark.Samples[i].Prompt,
                    benchmark.StrongQuality[i] > 0, benchmark.WeakQuality[i] > 0));
            }
        }

        var order = prompts.OrderBy(_ => random.Next()).ToList();
        var repeats = (int)Math.Round(order.Count * repeatShare);
        for (var r = 0; r < repeats; r++)
        {
            // A repeat goes somewhere after a uniformly chosen earlier occurrence.
            var source = random.Next(order.Count);
            var at = random.Next(source + 1, order.Count + 1);
            order.Insert(at, order[source]);
        }

        return new ReplayTraffic(prompts, order);
    }

    /// <summary>The scripted answer of a model for a prompt: names the prompt and says whether it is right.</summary>
    public static string Answer(ReplayPrompt prompt, bool correct, string model) =>
        $"Answer to {prompt.Id}: {(correct ? "right" : "wrong")}. " + Filler(model);

    /// <summary>True when <paramref name="content"/> is a right answer to <paramref name="prompt"/> (a cached answer to another prompt is wrong).</summary>
    public static bool IsRight(ReplayPrompt prompt, string? content) =>
        content is not null && content.StartsWith($"Answer to {prompt.Id}: right.", StringComparison.Ordinal);

    // About 30 words so answers take streaming time like a short real answer.
    private static string Filler(string model) =>
        $"({model}) " + string.Join(' ', Enumerable.Repeat("the reasoning follows from the question and the options given above", 3));
}
