using EdgeRouter.Dispatch.Strategies;
using EdgeRouter.Pipeline;

namespace EdgeRouter.Dispatch;

/// <summary>The stage kinds this assembly provides: the dispatch strategies that follow the routers.</summary>
public static class DispatchStages
{
    /// <summary>Factories for <c>direct</c>, <c>cascade</c> and <c>speculative</c>.</summary>
    public static IEnumerable<IStageFactory> Factories =>
        [new DirectStageFactory(), new CascadeStageFactory(), new SpeculativeStageFactory()];
}
