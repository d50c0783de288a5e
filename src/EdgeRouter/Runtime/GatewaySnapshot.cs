using System.Collections.Frozen;
using EdgeRouter.Configuration;
using EdgeRouter.Dispatch.Providers;
using EdgeRouter.Pipeline;
using EdgeRouter.Routing.Static;

namespace EdgeRouter.Runtime;

/// <summary>
/// Everything a request needs, built from one validated configuration: routes with their stages, concrete models
/// and provider runtimes. Immutable; a request reads <see cref="SnapshotHolder.Current"/> once and uses that
/// snapshot throughout, so a reload never changes the rules under a request in flight.
/// </summary>
public sealed class GatewaySnapshot
{
    private readonly FrozenDictionary<string, RouteRuntime> _routes;
    private readonly FrozenDictionary<string, RouteRuntime> _modelRoutes;

    private GatewaySnapshot(ValidatedConfig validated, ProviderPool providers,
        FrozenDictionary<string, RouteRuntime> routes, FrozenDictionary<string, RouteRuntime> modelRoutes)
    {
        Validated = validated;
        Providers = providers;
        _routes = routes;
        _modelRoutes = modelRoutes;
    }

    /// <summary>The configuration this snapshot was built from.</summary>
    public ValidatedConfig Validated { get; }

    /// <summary>The configuration as written.</summary>
    public GatewayConfig Config => Validated.Config;

    /// <summary>Every concrete model.</summary>
    public ModelCatalog Catalog => Validated.Catalog;

    /// <summary>Provider runtimes by name.</summary>
    public ProviderPool Providers { get; }

    /// <summary>Configured routes, in configuration order.</summary>
    public IEnumerable<RouteRuntime> Routes => Config.Routes.Keys.Select(name => _routes[name]);

    /// <summary>
    /// Builds a snapshot. Provider runtimes whose settings did not change are carried over from
    /// <paramref name="previous"/>; the replaced ones are added to <paramref name="retired"/>.
    /// </summary>
    public static GatewaySnapshot Build(
        ValidatedConfig validated, GatewaySnapshot? previous, TimeProvider time, ICollection<ProviderRuntime> retired, ILocalModels models,
        IServiceProvider? services = null)
    {
        ArgumentNullException.ThrowIfNull(validated);
        var providers = ProviderPool.Build(validated, previous?.Providers, time, retired);
        var catalog = validated.Catalog;
        var stageServices = new StageServices(catalog, models, new SnapshotServices(providers, services));
        var routes = new Dictionary<string, RouteRuntime>(StringComparer.Ordinal);
        foreach (var (name, route) in validated.Config.Routes)
        {
            var routeModels = route.Models.Select(id => catalog.TryResolve(id, out var t) ? t : null).OfType<ModelTarget>().ToList();
            var routeServices = stageServices with { RouteModels = routeModels };
            var stages = validated.RouteStages[name].Select(s => Create(s, routeServices)).ToList();
            var fallback = route.Fallback.Select(id => catalog.TryResolve(id, out var t) ? t : null).OfType<ModelTarget>().ToList();
            routes[name] = new RouteRuntime(name, route.Description, stages, fallback, isImplicit: false, routeModels);
        }

        var modelRoutes = new Dictionary<string, RouteRuntime>(StringComparer.Ordinal);
        foreach (var model in catalog.All)
        {
            if (model.Model.Kind == ModelKinds.Chat)
            {
                modelRoutes[model.Id] = new RouteRuntime(model.Id, null, [new StaticStage(model)], [], isImplicit: true);
            }
        }

        return new GatewaySnapshot(validated, providers,
            routes.ToFrozenDictionary(StringComparer.Ordinal), modelRoutes.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>
    /// Builds one stage; a stage that cannot be built (a model lacking a label it needs) is reported with its path, and
    /// one whose model is still loading stands aside as a <see cref="WarmingStage"/>.
    /// </summary>
    private static IRouteStage Create(BoundStage stage, StageServices services)
    {
        try
        {
            return stage.Factory.Create(stage.Settings, services);
        }
        catch (ModelWarmingException ex)
        {
            return new WarmingStage(stage.Factory.Kind, ex.Model);
        }
        catch (InvalidOperationException ex)
        {
            throw new StageBuildException(stage.Path, ex.Message, ex);
        }
    }

    /// <summary>
    /// Resolves a request's <c>model</c>: a route name first, then a concrete <c>provider/model</c> id, then a
    /// bare model name that only one provider serves.
    /// </summary>
    public bool TryResolveRoute(string model, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RouteRuntime? route)
    {
        if (_routes.TryGetValue(model, out route) || _modelRoutes.TryGetValue(model, out route))
        {
            return true;
        }

        if (Catalog.TryResolve(model, out var target) && _modelRoutes.TryGetValue(target.Id, out route))
        {
            return true;
        }

        route = null;
        return false;
    }
}

/// <summary>The services stages of one snapshot see: that snapshot's providers, then the process-wide services.</summary>
internal sealed class SnapshotServices(ProviderPool providers, IServiceProvider? processServices) : IServiceProvider
{
    public object? GetService(Type serviceType) =>
        serviceType == typeof(ProviderPool) ? providers : processServices?.GetService(serviceType);
}

/// <summary>A validated stage could not be built from the loaded models; <see cref="Path"/> locates it in the config.</summary>
public sealed class StageBuildException(string path, string message, Exception? inner = null) : Exception($"{path}: {message}", inner)
{
    /// <summary>The stage's path, e.g. <c>routes.auto.stages[1]</c>.</summary>
    public string Path { get; } = path;

    /// <summary>Why it could not be built.</summary>
    public string Reason { get; } = message;
}
