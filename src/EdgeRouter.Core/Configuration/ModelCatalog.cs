using System.Collections.Frozen;

namespace EdgeRouter.Configuration;

/// <summary>A concrete model: one model of one provider, addressed as <c>provider/model</c>.</summary>
/// <param name="Id">The concrete id, <c>provider/model</c>.</param>
/// <param name="Provider">The provider's name.</param>
/// <param name="Model">The model's configuration.</param>
public sealed record ModelTarget(string Id, string Provider, ModelConfig Model)
{
    /// <summary>The name sent upstream in the request's <c>model</c> field.</summary>
    public string UpstreamName => Model.UpstreamName ?? Model.Name;

    /// <summary><see cref="Id"/> as a UTF-8 JSON string: what clients see in a response's <c>model</c>.</summary>
    public ReadOnlyMemory<byte> IdJson { get; } = Protocol.UpstreamRequestWriter.EncodeJsonString(Id);

    /// <summary><see cref="UpstreamName"/> as a UTF-8 JSON string: what the upstream receives as <c>model</c>.</summary>
    public ReadOnlyMemory<byte> UpstreamNameJson { get; } =
        Protocol.UpstreamRequestWriter.EncodeJsonString(Model.UpstreamName ?? Model.Name);

    /// <summary>USD cost of a call with the given token counts at this model's prices.</summary>
    public decimal Cost(long promptTokens, long completionTokens) =>
        ((promptTokens * Model.InputPricePerMillion) + (completionTokens * Model.OutputPricePerMillion)) / 1_000_000m;
}

/// <summary>Every concrete model of a configuration, looked up by id or by unique bare name. Immutable.</summary>
public sealed class ModelCatalog
{
    private readonly FrozenDictionary<string, ModelTarget> _byId;
    private readonly FrozenDictionary<string, ModelTarget> _byUniqueName;

    /// <summary>Builds the catalog of <paramref name="providers"/>; later duplicates of an id are ignored (validation reports them).</summary>
    public ModelCatalog(IEnumerable<ProviderConfig> providers)
    {
        var byId = new Dictionary<string, ModelTarget>(StringComparer.Ordinal);
        var byName = new Dictionary<string, ModelTarget?>(StringComparer.Ordinal);
        var all = new List<ModelTarget>();
        foreach (var provider in providers)
        {
            foreach (var model in provider.Models)
            {
                var target = new ModelTarget($"{provider.Name}/{model.Name}", provider.Name, model);
                if (!byId.TryAdd(target.Id, target))
                {
                    continue;
                }

                all.Add(target);
                // A bare name resolves only when exactly one provider serves it.
                byName[model.Name] = byName.ContainsKey(model.Name) ? null : target;
            }
        }

        _byId = byId.ToFrozenDictionary(StringComparer.Ordinal);
        _byUniqueName = byName.Where(p => p.Value is not null)
            .ToFrozenDictionary(p => p.Key, p => p.Value!, StringComparer.Ordinal);
        All = all;
    }

    /// <summary>All models in configuration order.</summary>
    public IReadOnlyList<ModelTarget> All { get; }

    /// <summary>Finds a model by concrete id (<c>provider/model</c>) or, failing that, by a bare name only one provider serves.</summary>
    public bool TryResolve(string idOrName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ModelTarget? target) =>
        _byId.TryGetValue(idOrName, out target) || _byUniqueName.TryGetValue(idOrName, out target);

    /// <summary>Finds a model by its concrete id only.</summary>
    public bool TryGet(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ModelTarget? target) =>
        _byId.TryGetValue(id, out target);
}
