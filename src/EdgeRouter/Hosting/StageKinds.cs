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
    private readonly Lock _gate = new();
    private IReadOnlyDictionary<Type, object> _services = services;

    public object? GetService(Type serviceType) => Volatile.Read(ref _services).GetValueOrDefault(serviceType);

    /// <summary>Adds a service that starts after the gateway (the semantic cache, once its encoder has loaded).</summary>
    public void Add(Type serviceType, object service)
    {
        lock (_gate)
        {
            Volatile.Write(ref _services, new Dictionary<Type, object>(_services) { [serviceType] = service });
        }
    }
}
