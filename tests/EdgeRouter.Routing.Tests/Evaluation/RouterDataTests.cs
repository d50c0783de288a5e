using EdgeRouter.Routing.Evaluation;

namespace EdgeRouter.Tests.Evaluation;

public sealed class RouterDataTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("edgerouter-routerdata-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void TrainingRowsAreMmluTrainOnlyAndEvaluationRowsExcludeContamination()
    {
        WriteData();

        var data = RouterData.Load(_root);

        Assert.Equal(["train a", "train b"], data.Train.Samples.Select(s => s.Prompt));
        Assert.Equal([false, true], data.Train.NeedsStrong);
        Assert.Equal([false, true], data.Train.StrongFixes);
        Assert.Equal(["mmlu", "gsm8k", "mt-bench"], data.Benchmarks.Select(b => b.Name));
        var mmlu = data.Benchmarks[0];
        Assert.Equal(["test a"], mmlu.Samples.Select(s => s.Prompt));
        Assert.Equal("algebra", mmlu.Samples[0].Subject);
        Assert.Equal(1, mmlu.ExcludedContaminated);
        Assert.Equal(100, mmlu.StrongOnlyQuality);
        Assert.Equal(0, mmlu.WeakOnlyQuality);
        var mtBench = data.Benchmarks[2];
        Assert.Equal(["first turn"], mtBench.Samples.Select(s => s.Prompt));
        Assert.Equal(9.5, mtBench.StrongOnlyQuality);
        Assert.Equal(1, data.Benchmarks[1].Count);
    }

    [Fact]
    public void MissingFolderIsReportedWithThePathTried()
    {
        var error = Assert.Throws<DirectoryNotFoundException>(() => RouterData.Load(Path.Combine(_root, "nope")));

        Assert.Contains("mmlu.jsonl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadLineIsReportedWithFileAndLine()
    {
        WriteData();
        File.AppendAllText(Path.Combine(_root, "router", "gsm8k.jsonl"), "{\"prompt\": 3}\n");

        var error = Assert.Throws<InvalidDataException>(() => RouterData.Load(_root));

        Assert.StartsWith("gsm8k.jsonl line 3:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SamplePromptsSkipEvaluationSplits()
    {
        var file = Path.Combine(_root, "sample.jsonl");
        File.WriteAllText(file, """
            {"prompt": "a", "split": "train"}
            {"prompt": "b", "split": "test"}
            {"prompt": "c", "cluster": "x"}
            """);

        var prompts = RouterData.ReadPrompts(file, out var skipped);

        Assert.Equal(["a", "c"], prompts);
        Assert.Equal(1, skipped);
    }

    [Fact]
    public void OutOfFoldProbabilitiesLoadForTheTrainingRowsTheyWereWrittenFor()
    {
        WriteData();
        var data = RouterData.Load(_root);
        var file = Path.Combine(_root, "oof.json");

        // The hash as the Python pipeline writes it: sha256("\n".join(ids)), here of the ids "1" and "2".
        File.WriteAllText(file, """
            {"description": "d", "label": "net_gain", "rows": 2, "folds": 5, "encoder": "int8",
             "idsSha256": "b598b3a62a3f7cedb17e66d1cb31d53dffeebaf5c07e2c60d5e31971936fd35e", "pNeedsStrong": [0.25, 0.75]}
            """);
        var oof = HeadOutOfFold.Load(file, data.Train);

        Assert.Equal(["1", "2"], data.Train.Ids);
        Assert.Equal([0.25, 0.75], oof.Probabilities);
        Assert.Equal("net_gain", oof.Label);
        Assert.Equal(5, oof.Folds);
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000", "[0.25, 0.75]", 2, "SHA-256")]
    [InlineData("b598b3a62a3f7cedb17e66d1cb31d53dffeebaf5c07e2c60d5e31971936fd35e", "[0.25]", 1, "training set has 2")]
    [InlineData("b598b3a62a3f7cedb17e66d1cb31d53dffeebaf5c07e2c60d5e31971936fd35e", "[0.25, 1.5]", 2, "[0, 1]")]
    public void OutOfFoldProbabilitiesForOtherRowsAreRejected(string sha, string probabilities, int rows, string expected)
    {
        WriteData();
        var data = RouterData.Load(_root);
        var file = Path.Combine(_root, "oof.json");
        File.WriteAllText(file, $$"""{"label": "gain", "rows": {{rows}}, "folds": 5, "idsSha256": "{{sha}}", "pNeedsStrong": {{probabilities}}}""");

        var error = Assert.Throws<InvalidDataException>(() => HeadOutOfFold.Load(file, data.Train));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private void WriteData()
    {
        var router = Directory.CreateDirectory(Path.Combine(_root, "router")).FullName;
        File.WriteAllText(Path.Combine(router, "mmlu.jsonl"), """
            {"id": "1", "split": "train", "subject": "algebra", "prompt": "train a", "strong_correct": true, "weak_correct": true, "contaminated": false}
            {"id": "2", "split": "train", "subject": "algebra", "prompt": "train b", "strong_correct": true, "weak_correct": false, "contaminated": true}
            {"id": "3", "split": "test", "subject": "algebra", "prompt": "test a", "strong_correct": true, "weak_correct": false, "contaminated": false}
            {"id": "4", "split": "test", "subject": "algebra", "prompt": "test b", "strong_correct": false, "weak_correct": true, "contaminated": true}
            """);
        File.WriteAllText(Path.Combine(router, "gsm8k.jsonl"), """
            {"id": "g1", "prompt": "two plus two", "strong_correct": true, "weak_correct": true, "contaminated": false}
            {"id": "g2", "prompt": "contaminated", "strong_correct": true, "weak_correct": true, "contaminated": true}

            """);
        File.WriteAllText(Path.Combine(router, "mtbench.jsonl"), """
            {"id": "m1", "question_id": 81, "turns": ["first turn", "second turn"], "strong_score": 9.5, "weak_score": 8.0, "contaminated": false}
            """);
    }
}
