using EdgeRouter.Pipeline;
using EdgeRouter.Routing.Static;

namespace EdgeRouter.Routing;

/// <summary>The stage kinds this assembly provides.</summary>
public static class RoutingStages
{
    /// <summary>Factories for <c>static</c>, <c>weighted</c> and <c>fallback</c>.</summary>
    public static IEnumerable<IStageFactory> Factories =>
        [new StaticStageFactory(), new WeightedStageFactory(), new FallbackStageFactory()];
}
