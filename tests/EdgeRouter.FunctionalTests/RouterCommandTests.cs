using System.Globalization;
using System.Text;
using System.Xml.Linq;
using EdgeRouter.Cli;

namespace EdgeRouter.FunctionalTests;

/// <summary><c>edgerouter eval</c> and <c>calibrate</c> on a tiny generated data folder, and their usage errors.</summary>
public sealed class RouterCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("edgerouter-eval-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--data", "/nonexistent/edgerouter-data")]
    [InlineData("--routers", "length,oracle")]
    [InlineData("--out")]
    public void EvalUsageErrorsExitWithTwo(params string[] args)
    {
        Assert.Equal(CommandLine.Usage, EvalCommand.Run(args));
    }

    [Fact]
    public void EvalWithoutModelsNeedsLearnedLeftOut()
    {
        WriteData();

        Assert.Equal(CommandLine.Usage, EvalCommand.Run(["--data", _root, "--models", _root, "--out", Path.Combine(_root, "out")]));
    }

    [Theory]
    [InlineData]
    [InlineData("--strong-share", "1.5")]
    [InlineData("--strong-share", "abc")]
    [InlineData("--strong-share", "0.3", "--data", "/nonexistent/edgerouter-data")]
    public void CalibrateUsageErrorsExitWithTwo(params string[] args)
    {
        Assert.Equal(CommandLine.Usage, CalibrateCommand.Run(args));
    }

    [Fact]
    public void CalibrateRefusesAnEvaluationOnlySample()
    {
        WriteData();

        var code = CalibrateCommand.Run(["--strong-share", "0.3", "--data", _root, "--sample", Path.Combine(_root, "router", "gsm8k.jsonl")]);

        Assert.Equal(CommandLine.Usage, code);
    }

    [Fact]
    public void EvalWritesTheReportCurvesAndOnePlotPerBenchmark()
    {
        WriteData();
        var output = Path.Combine(_root, "out");

        var code = EvalCommand.Run(["--data", _root, "--out", output, "--routers", "tfidf-lr,subject-prior,length,random"]);

        Assert.Equal(CommandLine.Ok, code);
        var report = File.ReadAllText(Path.Combine(output, "report.md"));
        Assert.Contains("| `tfidf-lr` |", report, StringComparison.Ordinal);
        Assert.Contains("| `random` |", report, StringComparison.Ordinal);
        Assert.DoesNotContain("## Targets", report, StringComparison.Ordinal);
        Assert.StartsWith("benchmark,router,curve,strong_calls_pct,quality", File.ReadAllText(Path.Combine(output, "curves.csv")), StringComparison.Ordinal);
        foreach (var name in new[] { "mmlu", "gsm8k", "mt-bench" })
        {
            Assert.Equal("svg", XDocument.Load(Path.Combine(output, name + ".svg")).Root!.Name.LocalName);
        }
    }

    /// <summary>
    /// 200 MMLU rows (half train, half test), 40 GSM8K and 12 MT-Bench rows; whether the weak model is wrong depends on
    /// a topic word, so the baselines have something to learn.
    /// </summary>
    private void WriteData()
    {
        var router = Directory.CreateDirectory(Path.Combine(_root, "router")).FullName;
        var random = new Random(1);
        var mmlu = new StringBuilder();
        for (var i = 0; i < 200; i++)
        {
            var hard = i % 3 == 0;
            var subject = hard ? "algebra" : "history";
            var weakCorrect = hard ? random.NextDouble() < 0.3 : random.NextDouble() < 0.9;
            mmlu.Append(CultureInfo.InvariantCulture,
                $$"""{"id": "m{{i}}", "split": "{{(i % 2 == 0 ? "train" : "test")}}", "subject": "{{subject}}", "prompt": "{{(hard ? "solve the equation" : "which year did")}} item {{i}}", "strong_correct": true, "weak_correct": {{(weakCorrect ? "true" : "false")}}, "contaminated": false}""").Append('\n');
        }

        var gsm8k = new StringBuilder();
        for (var i = 0; i < 40; i++)
        {
            gsm8k.Append(CultureInfo.InvariantCulture,
                $$"""{"id": "g{{i}}", "prompt": "{{new string('x', i + 1)}} apples", "strong_correct": true, "weak_correct": {{(i % 2 == 0 ? "true" : "false")}}, "contaminated": {{(i == 0 ? "true" : "false")}}}""").Append('\n');
        }

        var mtBench = new StringBuilder();
        for (var i = 0; i < 12; i++)
        {
            mtBench.Append(CultureInfo.InvariantCulture,
                $$"""{"id": "t{{i}}", "question_id": {{i}}, "turns": ["write a poem number {{i}}", "shorter"], "strong_score": 9, "weak_score": {{8 + i % 2}}, "contaminated": false}""").Append('\n');
        }

        File.WriteAllText(Path.Combine(router, "mmlu.jsonl"), mmlu.ToString());
        File.WriteAllText(Path.Combine(router, "gsm8k.jsonl"), gsm8k.ToString());
        File.WriteAllText(Path.Combine(router, "mtbench.jsonl"), mtBench.ToString());
    }
}
