using System.Xml.Linq;
using EdgeRouter.Routing.Evaluation;

namespace EdgeRouter.Tests.Evaluation;

public class SvgCurvePlotTests
{
    [Fact]
    public void PlotIsWellFormedSvgWithOneLinePerRouterAndALegend()
    {
        var samples = Enumerable.Range(0, 50).Select(i => new RouterSample(new string('x', i) + "<&>")).ToArray();
        var strong = samples.Select((_, i) => i % 3 == 0 ? 0.0 : 100).ToArray();
        var weak = samples.Select((_, i) => i % 2 == 0 ? 0.0 : 100).ToArray();
        var benchmark = new RouterBenchmark("toy", "Toy <benchmark>", "accuracy %", samples, strong, weak);
        var evaluation = new BenchmarkEvaluation(benchmark, [RouterEvaluator.Evaluate(benchmark, new LengthScorer()), RouterEvaluator.Evaluate(benchmark, RandomScorer.Runs(3))]);

        var svg = XDocument.Parse(SvgCurvePlot.Render(evaluation));
        XNamespace ns = "http://www.w3.org/2000/svg";

        Assert.Equal(ns + "svg", svg.Root!.Name);
        Assert.Equal(2, svg.Descendants(ns + "polyline").Count());
        Assert.Contains(svg.Descendants(ns + "text"), t => t.Value.StartsWith("length (APGR", StringComparison.Ordinal));
        Assert.Contains(svg.Descendants(ns + "text"), t => t.Value.Contains("Toy <benchmark>", StringComparison.Ordinal));
    }

    [Fact]
    public void ReportAndCsvListEveryRouter()
    {
        var samples = Enumerable.Range(0, 20).Select(i => new RouterSample(new string('y', i))).ToArray();
        var benchmark = new RouterBenchmark("mt-bench", "MT", "score", samples, [.. samples.Select(_ => 9.0)], [.. samples.Select((_, i) => i % 2 == 0 ? 8.0 : 9.0)]);
        var results = new[] { new BenchmarkEvaluation(benchmark, [RouterEvaluator.Evaluate(benchmark, new LengthScorer())]) };

        var markdown = EvaluationReport.Markdown(results, new EvaluationReportOptions { Command = "edgerouter eval", ApgrTargets = new Dictionary<string, double> { ["mt-bench"] = 0.55 }, TargetRouter = "length" });
        var csv = EvaluationReport.Csv(results).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Contains("| `length` |", markdown, StringComparison.Ordinal);
        Assert.Contains("arXiv:2406.18665", markdown, StringComparison.Ordinal);
        Assert.Equal("benchmark,router,curve,strong_calls_pct,quality", csv[0]);
        Assert.Equal(1 + 11 + 201, csv.Length);
    }
}
