using EdgeRouter.Routing.Evaluation;

namespace EdgeRouter.Tests.Evaluation;

public class RouterMetricsTests
{
    // Four prompts: the strong model is right on 0, 1 and 3, the weak one only on 1, so only prompts 0 and 3 gain
    // from the strong model. Strong-only 0.75, weak-only 0.25.
    private static readonly double[] Strong = [1, 1, 0, 1];
    private static readonly double[] Weak = [0, 1, 0, 0];

    [Fact]
    public void OracleRouterRecoversThreeQuartersOfTheGapWhenHalfThePromptsGainNothing()
    {
        double[] oracle = [1, 0, 0, 1];

        var full = RouterMetrics.FullCurve(oracle, Strong, Weak);
        var bins = RouterMetrics.QuantileCurve(oracle, Strong, Weak);

        // (0, .25) → (.5, .75) → (1, .75): area .25 + .375 = .625; APGR (.625 − .25) / (.75 − .25) = .75.
        Assert.Equal([new(0, 0.25), new(0.5, 0.75), new(1, 0.75)], full.Points);
        Assert.Equal(0.625, full.Area(), 12);
        Assert.Equal(0.75, RouterMetrics.Apgr(full, 0.75, 0.25), 12);
        Assert.Equal(0.75, RouterMetrics.Apgr(bins, 0.75, 0.25), 12);
        Assert.Equal(11, bins.Points.Count);
    }

    [Fact]
    public void InvertedRouterRecoversOneQuarterOfTheGap()
    {
        double[] inverted = [-1, 0, 0, -1];

        var full = RouterMetrics.FullCurve(inverted, Strong, Weak);

        // (0, .25) → (.5, .25) → (1, .75): area .125 + .25 = .375; APGR .25.
        Assert.Equal([new(0, 0.25), new(0.5, 0.25), new(1, 0.75)], full.Points);
        Assert.Equal(0.25, RouterMetrics.Apgr(full, 0.75, 0.25), 12);
        Assert.Equal(0.25, RouterMetrics.Apgr(RouterMetrics.QuantileCurve(inverted, Strong, Weak), 0.75, 0.25), 12);
    }

    [Fact]
    public void OracleApgrIsOneMinusHalfTheShareOfPromptsThatGainAndBeatsTheInvertedOrder()
    {
        // Each of 1,000 prompts gains 1 with probability 0.3. The oracle's curve rises from 0 to s at share s, then
        // stays flat: area s²/2 + (1 − s)·s, so APGR = 1 − s/2.
        var random = new Random(7);
        var strong = new double[1000];
        var weak = new double[1000];
        for (var i = 0; i < strong.Length; i++)
        {
            strong[i] = random.NextDouble() < 0.3 ? 1 : 0;
        }

        var gains = strong.Zip(weak, (s, w) => s - w).ToArray();
        var (s0, w0) = (strong.Average(), weak.Average());
        var oracle = RouterMetrics.Apgr(RouterMetrics.FullCurve(gains, strong, weak), s0, w0);

        Assert.Equal(1 - s0 / 2, oracle, 9);
        Assert.True(oracle > RouterMetrics.Apgr(RouterMetrics.FullCurve([.. gains.Select(g => -g)], strong, weak), s0, w0));
    }

    [Fact]
    public void RandomRouterAveragedOverTenSeedsHasApgrNearOneHalf()
    {
        var data = new Random(11);
        var samples = Enumerable.Range(0, 2000).Select(i => new RouterSample($"prompt {i}")).ToArray();
        var strong = samples.Select(_ => data.NextDouble() < 0.8 ? 100.0 : 0).ToArray();
        var weak = samples.Select(_ => data.NextDouble() < 0.65 ? 100.0 : 0).ToArray();
        var benchmark = new RouterBenchmark("synthetic", "Synthetic", "accuracy %", samples, strong, weak);

        var result = RouterEvaluator.Evaluate(benchmark, RandomScorer.Runs(10));

        Assert.Equal(10, result.Runs);
        Assert.InRange(result.Quantile.Apgr, 0.47, 0.53);
        Assert.InRange(result.Full.Apgr, 0.47, 0.53);
        Assert.InRange(result.RocAuc, 0.47, 0.53);
        Assert.Equal(11, result.Quantile.Curve.Points.Count);
    }

    [Fact]
    public void ConstantScoresGiveTheStraightLineExactly()
    {
        double[] constant = [3, 3, 3, 3];

        var full = RouterMetrics.FullCurve(constant, Strong, Weak);
        var bins = RouterMetrics.QuantileCurve(constant, Strong, Weak);

        Assert.Equal([new(0, 0.25), new(1, 0.75)], full.Points);
        Assert.Equal(0.5, RouterMetrics.Apgr(full, 0.75, 0.25), 12);
        Assert.Equal(0.5, RouterMetrics.Apgr(bins, 0.75, 0.25), 12);
    }

    [Fact]
    public void TiedScoresAreRoutedTogetherWhateverTheInputOrder()
    {
        var random = new Random(3);
        var scores = Enumerable.Range(0, 500).Select(_ => (double)random.Next(7)).ToArray();
        var strong = scores.Select(_ => random.NextDouble() < 0.7 ? 100.0 : 0).ToArray();
        var weak = scores.Select(_ => random.NextDouble() < 0.6 ? 100.0 : 0).ToArray();
        var order = Enumerable.Range(0, scores.Length).ToArray();
        random.Shuffle(order);

        var full = RouterMetrics.FullCurve(scores, strong, weak);
        var shuffled = RouterMetrics.FullCurve([.. order.Select(i => scores[i])], [.. order.Select(i => strong[i])], [.. order.Select(i => weak[i])]);
        var bins = RouterMetrics.QuantileCurve(scores, strong, weak);
        var binsShuffled = RouterMetrics.QuantileCurve([.. order.Select(i => scores[i])], [.. order.Select(i => strong[i])], [.. order.Select(i => weak[i])]);

        // Seven distinct scores: the weak-only point plus one point per group.
        Assert.Equal(8, full.Points.Count);
        Assert.Equal(full.Points, shuffled.Points);
        Assert.Equal(bins.Points, binsShuffled.Points);
    }

    [Fact]
    public void QuantileCurveStepsByTenPercentOnDistinctScoresAsRouteLlm()
    {
        double[] scores = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        var ones = scores.Select(_ => 1.0).ToArray();
        var zeros = scores.Select(_ => 0.0).ToArray();

        var curve = RouterMetrics.QuantileCurve(scores, ones, zeros);

        // Edges 1 + 0.9·i: scores ≥ edge number 10 − i; the last edge routes nothing.
        Assert.Equal(Enumerable.Range(0, 11).Select(i => i / 10.0), curve.Points.Select(p => Math.Round(p.StrongShare, 12)));
        Assert.Equal(0.5, RouterMetrics.Apgr(curve, 1, 0), 12);
    }

    [Theory]
    [InlineData(new double[] { 1, 2, 3, 4 }, 0.3, 1.9)]
    [InlineData(new double[] { 0, 10 }, 0.25, 2.5)]
    [InlineData(new double[] { 0, 10 }, 0.75, 7.5)]
    [InlineData(new double[] { 5 }, 0.5, 5)]
    [InlineData(new double[] { 1, 2, 3 }, 1, 3)]
    public void QuantileInterpolatesLinearlyAsNumpy(double[] sorted, double q, double expected)
    {
        Assert.Equal(expected, RouterMetrics.Quantile(sorted, q), 12);
    }

    [Fact]
    public void CptInterpolatesLinearlyBetweenPoints()
    {
        var curve = new QualityCurve([new(0, 50), new(0.5, 70), new(1, 90)]);

        Assert.Equal(0.5, RouterMetrics.Cpt(curve, 90, 50, 0.5), 12);
        // 80 % of the gap is 82: between (.5, 70) and (1, 90), 12/20 of the way.
        Assert.Equal(0.8, RouterMetrics.Cpt(curve, 90, 50, 0.8), 12);
        // 95 % of 90 is 85.5: 15.5/20 of the way.
        Assert.Equal(0.5 + 0.5 * 15.5 / 20, RouterMetrics.ShareForStrongQuality(curve, 90), 12);
    }

    [Fact]
    public void CptTakesTheFirstCrossingOfACurveThatDips()
    {
        var curve = new QualityCurve([new(0, 50), new(0.4, 80), new(0.6, 60), new(1, 90)]);

        Assert.Equal(0.4 * 20 / 30, RouterMetrics.Cpt(curve, 90, 50, 0.5), 12);
    }

    [Fact]
    public void ShareForStrongQualityIsZeroWhenTheWeakModelAlreadyGetsThere()
    {
        var curve = new QualityCurve([new(0, 88), new(1, 90)]);

        Assert.Equal(0, RouterMetrics.ShareForStrongQuality(curve, 90));
    }

    [Fact]
    public void ApgrIsUndefinedWhenBothModelsScoreTheSame()
    {
        var curve = RouterMetrics.FullCurve([1, -1], [1, 0], [0, 1]);

        Assert.True(double.IsNaN(RouterMetrics.Apgr(curve, 0.5, 0.5)));
    }

    [Fact]
    public void RocAucUsesAverageRanksForTies()
    {
        Assert.Equal(0.75, RouterMetrics.RocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]), 12);
        Assert.Equal(0.5, RouterMetrics.RocAuc([1, 1], [true, false]), 12);
        Assert.True(double.IsNaN(RouterMetrics.RocAuc([1, 2], [true, true])));
    }

    [Fact]
    public void CurvesRejectMismatchedOrNonFiniteInput()
    {
        Assert.Throws<ArgumentException>(() => RouterMetrics.FullCurve([1, 2], [1], [0, 0]));
        Assert.Throws<ArgumentException>(() => RouterMetrics.FullCurve([double.NaN], [1], [0]));
        Assert.Throws<ArgumentException>(() => new QualityCurve([new(0.5, 1), new(0.2, 1)]));
    }

    [Fact]
    public void AveragedCurveIsThePointwiseMean()
    {
        var a = new QualityCurve([new(0, 0), new(1, 1)]);
        var b = new QualityCurve([new(0, 0), new(0.5, 1), new(1, 1)]);

        var mean = QualityCurve.Average([a, b]);

        Assert.Equal([new(0, 0), new(0.5, 0.75), new(1, 1)], mean.Points);
    }
}
