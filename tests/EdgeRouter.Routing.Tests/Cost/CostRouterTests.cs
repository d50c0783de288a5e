using EdgeRouter.Routing.Cost;
using EdgeRouter.Tests.Routers;

namespace EdgeRouter.Tests.Cost;

public class CostRouterTests
{
    // Quality falls with P(needs strong) for the weak models and hardly at all for the strong one.
    private static readonly QualityCalibration[] Calibration =
    [
        new() { Intercept = 2.0, Slope = -4.0 }, // cheap: 0.88 at p=0, 0.5 at p=0.5
        new() { Intercept = 2.5, Slope = -3.0 }, // mid
        new() { Intercept = 3.0, Slope = -1.0 }, // strong: 0.95 at p=0, 0.88 at p=1
    ];

    private static CostRouter Router(double floor = 0.75) => new("cost", null, null, 0, Calibration, floor, 0.02, 256);

    [Fact]
    public void EasyPromptsGoToTheCheapestModelThatClearsTheFloor()
    {
        var vote = Router().Decide(0.05, 50, 256, RoutingKit.Three);

        Assert.Equal("p/cheap", RoutingKit.Three[vote.Choice].Id);
        Assert.Equal(0, Array.IndexOf(vote.Distribution, vote.Distribution.Max()));
    }

    [Fact]
    public void HarderPromptsClimbToTheNextModelWhoseQualityClears()
    {
        // p = 0.4: cheap 0.60 (fails), mid 0.79 (clears), strong 0.93.
        var vote = Router().Decide(0.4, 50, 256, RoutingKit.Three);

        Assert.Equal("p/mid", RoutingKit.Three[vote.Choice].Id);
        Assert.Contains("quality ≥ 0.75", vote.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void WhenNoModelClearsTheFloorTheMostAccurateOneIsPicked()
    {
        var vote = Router(floor: 0.99).Decide(0.9, 50, 256, RoutingKit.Three);

        Assert.Equal("p/strong", RoutingKit.Three[vote.Choice].Id);
        Assert.StartsWith("no model reaches 0.99", vote.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDistributionIsTheChanceOfBeingTheCheapestModelThatClears()
    {
        var vote = Router().Decide(0.3, 50, 256, RoutingKit.Three);

        Assert.Equal(1f, vote.Distribution.Sum(), 4);
        Assert.All(vote.Distribution, p => Assert.InRange(p, 0f, 1f));
    }

    [Fact]
    public void CheaperPricesWinEvenWhenTheRouteListsTheModelsInAnotherOrder()
    {
        var models = RoutingKit.Models("strong", "cheap");
        var router = new CostRouter("cost", null, null, 0, [new() { Intercept = 5 }, new() { Intercept = 5 }], 0.7, 0.02, 256);

        var vote = router.Decide(0.5, 50, 256, models);

        Assert.Equal("p/cheap", models[vote.Choice].Id);
    }
}
