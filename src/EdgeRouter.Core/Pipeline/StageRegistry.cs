using System.Collections.Frozen;

namespace EdgeRouter.Pipeline;

/// <summary>The stage kinds a gateway knows, by <c>kind</c>. Immutable once built.</summary>
public sealed class StageRegistry
{
    private readonly FrozenDictionary<string, IStageFactory> _factories;

    /// <summary>Builds a registry; kinds must be unique.</summary>
    public StageRegistry(IEnumerable<IStageFactory> factories)
    {
        ArgumentNullException.ThrowIfNull(factories);
        var byKind = new Dictionary<string, IStageFactory>(StringComparer.Ordinal);
        foreach (var factory in factories)
        {
            if (!byKind.TryAdd(factory.Kind, factory))
            {
                throw new ArgumentException($"Stage kind '{factory.Kind}' is registered twice.", nameof(factories));
            }
        }

        _factories = byKind.ToFrozenDictionary(StringComparer.Ordinal);
        Kinds = [.. byKind.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>Registered kinds in alphabetical order.</summary>
    public IReadOnlyList<string> Kinds { get; }

    /// <summary>Finds the factory for <paramref name="kind"/>.</summary>
    public bool TryGet(string kind, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IStageFactory? factory) =>
        _factories.TryGetValue(kind, out factory);
}
