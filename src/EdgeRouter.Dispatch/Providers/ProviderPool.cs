using System.Collections.Frozen;
using System.Text.Json;
using EdgeRouter.Configuration;

namespace EdgeRouter.Dispatch.Providers;

/// <summary>
/// The provider runtimes of one configuration snapshot. Building a pool from a new configuration reuses the
/// runtimes (connections, circuit state) of providers whose settings and key did not change; the runtimes it
/// replaces are disposed once in-flight requests have had time to finish.
/// </summary>
public sealed class ProviderPool
{
    private readonly FrozenDictionary<string, Entry> _entries;

    private ProviderPool(FrozenDictionary<string, Entry> entries)
    {
        _entries = entries;
    }

    /// <summary>Every provider runtime by name.</summary>
    public IEnumerable<ProviderRuntime> All => _entries.Values.Select(e => e.Runtime);

    /// <summary>The runtime of <paramref name="provider"/>.</summary>
    public ProviderRuntime this[string provider] => _entries[provider].Runtime;

    /// <summary>Builds the pool for <paramref name="config"/>, reusing what it can from <paramref name="previous"/>.</summary>
    /// <param name="config">The validated configuration.</param>
    /// <param name="previous">The pool of the snapshot being replaced, or null at startup.</param>
    /// <param name="time">Clock for circuit breakers.</param>
    /// <param name="retired">Receives runtimes that are no longer used, to dispose after a grace period.</param>
    public static ProviderPool Build(ValidatedConfig config, ProviderPool? previous, TimeProvider time, ICollection<ProviderRuntime> retired)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(retired);
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var provider in config.Config.Providers)
        {
            var apiKey = config.ApiKeys[provider.Name];
            var fingerprint = Fingerprint(provider, apiKey);
            if (previous is not null && previous._entries.TryGetValue(provider.Name, out var old) && old.Fingerprint == fingerprint)
            {
                entries[provider.Name] = old;
            }
            else
            {
                entries[provider.Name] = new Entry(new ProviderRuntime(provider, apiKey, time), fingerprint);
            }
        }

        if (previous is not null)
        {
            foreach (var (name, old) in previous._entries)
            {
                if (!entries.TryGetValue(name, out var kept) || !ReferenceEquals(kept.Runtime, old.Runtime))
                {
                    retired.Add(old.Runtime);
                }
            }
        }

        return new ProviderPool(entries.ToFrozenDictionary(StringComparer.Ordinal));
    }

    // Lists and dictionaries compare by reference in records, so compare the settings' JSON instead.
    private static string Fingerprint(ProviderConfig provider, string? apiKey) =>
        JsonSerializer.Serialize(provider with { Models = [] }, ProviderFingerprintContext.Default.ProviderConfig) + "\n" + apiKey;

    private sealed record Entry(ProviderRuntime Runtime, string Fingerprint);
}
