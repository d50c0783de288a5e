using EdgeRouter.Routing.Learned;
using EdgeRouter.Routing.Routers;
using EdgeRouter.Tests.Routers;

namespace EdgeRouter.Tests.Learned;

public class LearnedRouterTests
{
    [Theory]
    [InlineData(0.0, 0.3, 0.0)]
    [InlineData(0.3, 0.3, 0.5)]
    [InlineData(0.15, 0.3, 0.25)]
    [InlineData(0.65, 0.3, 0.75)]
    [InlineData(1.0, 0.3, 1.0)]
    public void StrongShareMapsTheThresholdToOneHalf(double p, double threshold, double expected) =>
        Assert.Equal(expected, LearnedRouter.StrongShare(p, threshold), 9);

    [Fact]
    public void StrongShareIsMonotoneInTheProbability()
    {
        var previous = -1.0;
        for (var p = 0.0; p <= 1.0; p += 0.01)
        {
            var share = LearnedRouter.StrongShare(p, 0.42);
            Assert.True(share >= previous, $"share fell at p={p}");
            previous = share;
        }
    }

    [Theory]
    [InlineData(0.71f, "p/strong")]
    [InlineData(0.55f, "p/strong")]
    [InlineData(0.54f, "p/cheap")]
    [InlineData(0.02f, "p/cheap")]
    public void PicksTheStrongModelExactlyWhenTheProbabilityReachesTau(float p, string expected)
    {
        var services = RoutingKit.Services(needsStrong: _ => p);
        var router = LearnedRouterFactory.Build("learned", new LearnedRouterSettings { Threshold = 0.55 }, services, RoutingKit.Three);
        var context = RoutingKit.Context("prove the theorem");

        var vote = router.Vote(context, PromptFeatures.Of(context), RoutingKit.Three);

        Assert.Equal(expected, RoutingKit.Three[vote.Choice].Id);
        Assert.Equal(1f, vote.Distribution.Sum(), 5);
        Assert.Equal(0f, vote.Distribution[1]); // the mid model is neither weak nor strong
        Assert.Contains("τ=0.55", vote.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AHeadWithoutTheLabelFailsToBuildWithItsLabelsListed()
    {
        var services = RoutingKit.Services();
        var error = Assert.Throws<InvalidOperationException>(() =>
            LearnedRouterFactory.Build("learned", new LearnedRouterSettings { Label = "hard" }, services, RoutingKit.Three));

        Assert.Contains("weak_ok, needs_strong", error.Message, StringComparison.Ordinal);
    }
}
