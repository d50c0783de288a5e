using EdgeRouter.Routing.Learned;
using EdgeRouter.Routing.Routers;
using EdgeRouter.Tests.Routers;

namespace EdgeRouter.Tests.Learned;

public class LearnedCombinerTests
{
    [Theory]
    [InlineData(0.01)]
    [InlineData(0.3)]
    [InlineData(0.5)]
    [InlineData(0.97)]
    public void AUnitHeadWeightWithNoOtherTermsGivesTheHeadProbability(double p) =>
        Assert.Equal(p, new LearnedCombiner(1, 0, 0).Combine(p, 1234), 12);

    [Fact]
    public void TheScoreIsTheLogisticOfTheWeightedHeadLogitLogTokensAndBias()
    {
        var combiner = new LearnedCombiner(1.3, 0.4, -2);

        var expected = 1 / (1 + Math.Exp(-((1.3 * Math.Log(0.3 / 0.7)) + (0.4 * Math.Log(101)) - 2)));

        Assert.Equal(expected, combiner.Combine(0.3, 100), 12);
        Assert.Equal(Math.Log(expected / (1 - expected)), combiner.Logit(0.3, 100), 10);
    }

    [Fact]
    public void SaturatedHeadProbabilitiesStillGiveFiniteOrderedScores()
    {
        var combiner = new LearnedCombiner(2, 0.5, -1);

        var atZero = combiner.Combine(0, 10);
        var atOne = combiner.Combine(1, 10);

        Assert.True(atZero > 0 && atZero < combiner.Combine(1e-3, 10), $"p=0 gives {atZero}");
        Assert.True(atOne < 1 && atOne > combiner.Combine(0.999, 10), $"p=1 gives {atOne}");
        Assert.True(double.IsFinite(combiner.Logit(double.NaN, 10)));
    }

    [Fact]
    public void TheScoreRisesWithTheHeadProbabilityAndWithTheTokensWhenTheirWeightsArePositive()
    {
        var combiner = new LearnedCombiner(0.8, 0.3, -1.5);
        var previous = -1.0;
        for (var p = 0.0; p <= 1.0; p += 0.01)
        {
            var score = combiner.Combine(p, 50);
            Assert.True(score > previous, $"score fell at p={p}");
            previous = score;
        }

        previous = -1.0;
        foreach (var tokens in new[] { 0, 1, 10, 100, 1000, 100_000 })
        {
            var score = combiner.Combine(0.4, tokens);
            Assert.True(score > previous, $"score fell at {tokens} tokens");
            previous = score;
        }
    }

    [Fact]
    public void NegativeTokenCountsCountAsZero() =>
        Assert.Equal(new LearnedCombiner(1, 1, 0).Combine(0.2, 0), new LearnedCombiner(1, 1, 0).Combine(0.2, -5), 15);

    [Theory]
    [InlineData(double.NaN, 0, 0)]
    [InlineData(1, double.PositiveInfinity, 0)]
    [InlineData(1, 0, double.NegativeInfinity)]
    public void NonFiniteCoefficientsAreRejected(double head, double logTokens, double bias) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearnedCombiner(head, logTokens, bias));

    [Fact]
    public void SettingsRoundTripThroughTheCombiner()
    {
        var settings = new LearnedCombineSettings { Head = 1.1, LogTokens = 0.25, Bias = -3 };

        Assert.Equal(settings, LearnedCombiner.From(settings).ToSettings());
    }

    [Theory]
    [InlineData(0.85, "p/strong")]
    [InlineData(0.86, "p/cheap")]
    public void ACombinedRouterThresholdsTheCombinedScoreAndExplainsItsInputs(double threshold, string expected)
    {
        // "prove the theorem" is 17 UTF-8 bytes → 5 estimated tokens; p_head = 0.5 has logit 0, so the score is
        // σ(ln(1 + 5)) = 6/7 ≈ 0.857.
        var services = RoutingKit.Services(needsStrong: _ => 0.5f);
        var settings = new LearnedRouterSettings { Threshold = threshold, Combine = new LearnedCombineSettings { Head = 2, LogTokens = 1, Bias = 0 } };
        var router = LearnedRouterFactory.Build("learned", settings, services, RoutingKit.Three);
        var context = RoutingKit.Context("prove the theorem");
        var features = PromptFeatures.Of(context);

        var vote = router.Vote(context, features, RoutingKit.Three);
        var score = router.Evaluate(features);

        Assert.Equal(6.0 / 7, score.Score, 6);
        Assert.Equal(0.5, score.HeadProbability, 6);
        Assert.Equal(5, score.EstimatedTokens);
        Assert.Equal(expected, RoutingKit.Three[vote.Choice].Id);
        Assert.Contains("p(head)=0.5 tokens=5 score=0.857", vote.Reason, StringComparison.Ordinal);
        Assert.Contains($"τ={Distribution.F(threshold)}", vote.Reason, StringComparison.Ordinal);
        Assert.Equal(score.Score, router.Score(features), 15);
    }

    [Fact]
    public void ARouterWithoutACombinerScoresTheHeadProbability()
    {
        var services = RoutingKit.Services(needsStrong: _ => 0.3f);
        var router = LearnedRouterFactory.Build("learned", new LearnedRouterSettings { Threshold = 0.25 }, services, RoutingKit.Three);
        var context = RoutingKit.Context("a long prompt that would raise a token term");

        var vote = router.Vote(context, PromptFeatures.Of(context), RoutingKit.Three);

        Assert.Equal(0.3, router.Score(PromptFeatures.Of(context)), 6);
        Assert.Null(router.Combiner);
        Assert.StartsWith("p(strong)=0.3 ≥ τ=0.25", vote.Reason, StringComparison.Ordinal);
    }
}
