using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using EdgeRouter.Configuration;

namespace EdgeRouter.Pipeline;

/// <summary>How often a stage ends the pipeline; used to reject routes whose later stages could never run.</summary>
public enum StageTermination
{
    /// <summary>The stage only annotates the context and always continues.</summary>
    Never,

    /// <summary>The stage decides or responds for some requests (a cache, a rule with no default).</summary>
    Sometimes,

    /// <summary>The stage always decides or responds (a static target, a weighted choice).</summary>
    Always,
}

/// <summary>The part a stage plays in a route, used to reject pipelines in an order that cannot work.</summary>
public enum StageRole
{
    /// <summary>Decides on its own (static, weighted, fallback) or only annotates.</summary>
    Other,

    /// <summary>Answers some requests before any model is chosen (a cache); must precede routers.</summary>
    Lookup,

    /// <summary>Writes a distribution over the route's models to <c>RequestContext.Routing</c>; needs a later strategy.</summary>
    Router,

    /// <summary>Dispatches by the routers' distribution (direct, cascade, speculative); needs the route's <c>models</c>.</summary>
    Strategy,
}

/// <summary>What a stage factory sees while binding and validating one stage's settings.</summary>
/// <param name="Path">JSON path of the stage object, e.g. <c>routes.auto.stages[1]</c>.</param>
/// <param name="Settings">The stage object's properties other than <c>kind</c>.</param>
/// <param name="Catalog">Every concrete model, to check references.</param>
/// <param name="Config">The whole configuration, to check references to other sections (encoders, the cache).</param>
/// <param name="Errors">Where problems are reported.</param>
/// <param name="RouteModels">The route's candidate models (its <c>models</c>), weakest first; empty when it lists none.</param>
public sealed record StageBindingContext(
    string Path,
    IReadOnlyDictionary<string, JsonElement> Settings,
    ModelCatalog Catalog,
    GatewayConfig Config,
    ConfigErrors Errors,
    IReadOnlyList<ModelTarget>? RouteModels = null)
{
    /// <summary>The route's candidate models, weakest first; empty when it lists none.</summary>
    public IReadOnlyList<ModelTarget> Models => RouteModels ?? [];
}

/// <summary>What a stage may use once built: the models of the snapshot, the in-process models and shared services.</summary>
/// <param name="Catalog">Every concrete model.</param>
/// <param name="Models">Encoders and classifiers loaded at startup.</param>
/// <param name="Services">Process-wide services stages may need (the semantic cache, …); null entries for what is not configured.</param>
public sealed record StageServices(ModelCatalog Catalog, ILocalModels Models, IServiceProvider? Services = null)
{
    /// <summary>The candidate models of the route being built (its <c>models</c>), weakest first.</summary>
    public IReadOnlyList<ModelTarget> RouteModels { get; init; } = [];

    /// <summary>The service of type <typeparamref name="T"/>, or null when the gateway runs none.</summary>
    public T? Get<T>()
        where T : class => Services?.GetService(typeof(T)) as T;
}

/// <summary>
/// Creates one kind of stage: binds and validates its settings at config load (reporting every problem with its
/// path) and builds the stage instance for a runtime snapshot. Register factories in a <see cref="StageRegistry"/>.
/// </summary>
public interface IStageFactory
{
    /// <summary>The <c>kind</c> value this factory handles.</summary>
    string Kind { get; }

    /// <summary>How often stages of this kind end the pipeline.</summary>
    StageTermination Termination { get; }

    /// <summary>The part stages of this kind play, for pipeline-order validation.</summary>
    StageRole Role => StageRole.Other;

    /// <summary>Binds and validates settings; returns them, or null after reporting errors.</summary>
    object? Bind(StageBindingContext context);

    /// <summary>Builds the stage from settings returned by <see cref="Bind"/>.</summary>
    IRouteStage Create(object settings, StageServices services);
}

/// <summary>Base for factories whose settings are a source-generated JSON record.</summary>
/// <typeparam name="TSettings">The settings record.</typeparam>
public abstract class StageFactory<TSettings> : IStageFactory
    where TSettings : class
{
    /// <inheritdoc />
    public abstract string Kind { get; }

    /// <inheritdoc />
    public abstract StageTermination Termination { get; }

    /// <inheritdoc />
    public virtual StageRole Role => StageRole.Other;

    /// <summary>Source-generated metadata for <typeparamref name="TSettings"/>.</summary>
    protected abstract JsonTypeInfo<TSettings> SettingsTypeInfo { get; }

    /// <inheritdoc />
    public object? Bind(StageBindingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = StageSettingsBinder.Bind(context, SettingsTypeInfo);
        if (settings is null)
        {
            return null;
        }

        var before = context.Errors.Count;
        Validate(settings, context);
        return context.Errors.Count == before ? settings : null;
    }

    /// <inheritdoc />
    public IRouteStage Create(object settings, StageServices services) => Create((TSettings)settings, services);

    /// <summary>Reports every problem with <paramref name="settings"/> to <c>context.Errors</c>.</summary>
    protected abstract void Validate(TSettings settings, StageBindingContext context);

    /// <summary>Builds the stage; <paramref name="settings"/> passed validation.</summary>
    protected abstract IRouteStage Create(TSettings settings, StageServices services);
}
