using EdgeRouter.Pipeline.Routing;
using EdgeRouter.Routing.Latency;
using EdgeRouter.Routing.Routers;
using EdgeRouter.Tests.Routers;

namespace EdgeRouter.Tests.Latency;

public class LatencyRouterTests
{
    [Fact]
    public void PriorsDecideUntilModelsHaveAnswered()
    {
        var router = new LatencyRouter("latency", new ModelLatencies(), firstByte: true, [300, 200, 900], 0.25);
        var context = RoutingKit.Context("hi");

        var vote = router.Vote(context, PromptFeatures.Of(context), RoutingKit.Three);

        Assert.Equal("p/mid", RoutingKit.Three[vote.Choice].Id);
        Assert.True(vote.Distribution[1] > vote.Distribution[0] && vote.Distribution[0] > vote.Distribution[2]);
    }

    [Fact]
    public void LiveMeasurementsOverrideThePriors()
    {
        var latencies = new ModelLatencies(alpha: 1);
        var router = new LatencyRouter("latency", latencies, firstByte: true, [300, 200, 900], 0.25);
        var context = RoutingKit.Context("hi");
        latencies.Observe("p/mid", 800, 1500);
        latencies.Observe("p/strong", 100, 400);

        var vote = router.Vote(context, PromptFeatures.Of(context), RoutingKit.Three);

        Assert.Equal("p/strong", RoutingKit.Three[vote.Choice].Id);
        Assert.Contains("100 ms", vote.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void MovingAverageFollowsASlowdown()
    {
        var latencies = new ModelLatencies(alpha: 0.5);
        latencies.Observe("m", 100, 100);
        latencies.Observe("m", 300, 300);

        Assert.True(latencies.TryGet("m", out var estimate));
        Assert.Equal(200, estimate.FirstByteMs, 6);
        Assert.Equal(2, estimate.Samples);
        Assert.False(latencies.TryGet("other", out _));
    }
}
