using EdgeRouter.Cache.Stage;
using EdgeRouter.Dispatch;
using EdgeRouter.Pipeline;
using EdgeRouter.Routing;

namespace EdgeRouter.Hosting;

/// <summary>Every stage kind the gateway binary knows.</summary>
public static class StageKinds
{
    /// <summary>The built-in stage factories: routing stages, the semantic cache and the dispatch strategies.</summary>
    public static IEnumerable<IStageFactory> BuiltIn => RoutingStages.Factories.Append(new CacheStageFactory())
        .Concat(DispatchStages.Factories);
}

/// <summary>The process-wide services stages can ask for (<see cref="StageServices.Get{T}"/>).</summary>
internal sealed class GatewayServices(IReadOnlyDictionary<Type, object> services) : IServiceProvider
{
    public object? GetService(Type serviceType) => services.GetValueOrDefault(serviceType);
}
