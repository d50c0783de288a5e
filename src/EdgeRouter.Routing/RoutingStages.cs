using EdgeRouter.Pipeline;
using EdgeRouter.Routing.Cost;
using EdgeRouter.Routing.Intent;
using EdgeRouter.Routing.Latency;
using EdgeRouter.Routing.Learned;
using EdgeRouter.Routing.Mixture;
using EdgeRouter.Routing.Rules;
using EdgeRouter.Routing.Static;
using EdgeRouter.Routing.Sticky;

namespace EdgeRouter.Routing;

/// <summary>The stage kinds this assembly provides.</summary>
public static class RoutingStages
{
    /// <summary>Factories for the deciding stages (<c>static</c>, <c>weighted</c>, <c>fallback</c>) and the routers.</summary>
    public static IEnumerable<IStageFactory> Factories =>
    [
        new StaticStageFactory(), new WeightedStageFactory(), new FallbackStageFactory(),
        new StickyStageFactory(), new RulesStageFactory(), new IntentStageFactory(), new LearnedRouterFactory(),
        new CostRouterFactory(), new LatencyRouterFactory(), new MixtureStageFactory(),
    ];
}
