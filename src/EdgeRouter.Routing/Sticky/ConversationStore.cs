using System.Collections.Concurrent;

namespace EdgeRouter.Routing.Sticky;

/// <summary>
/// Which model each conversation is on, with a time-to-live refreshed on use and a cap on conversations (the least
/// recently used are dropped first). Thread-safe.
/// </summary>
public sealed class ConversationStore
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _ttl;
    private readonly int _capacity;
    private int _trimming;

    /// <summary>Creates a store.</summary>
    public ConversationStore(TimeProvider time, TimeSpan ttl, int capacity)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _time = time;
        _ttl = ttl;
        _capacity = capacity;
    }

    /// <summary>Conversations held (expired ones included until they are next touched or trimmed).</summary>
    public int Count => _entries.Count;

    /// <summary>The model of <paramref name="key"/>'s conversation, refreshing its lifetime; false when unknown or expired.</summary>
    public bool TryGet(string key, out string modelId)
    {
        var now = _time.GetTimestamp();
        if (_entries.TryGetValue(key, out var entry))
        {
            if (_time.GetElapsedTime(entry.LastUsed, now) <= _ttl)
            {
                entry.LastUsed = now;
                modelId = entry.ModelId;
                return true;
            }

            _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
        }

        modelId = "";
        return false;
    }

    /// <summary>Sets <paramref name="key"/>'s model.</summary>
    public void Set(string key, string modelId)
    {
        _entries[key] = new Entry(modelId, _time.GetTimestamp());
        if (_entries.Count > _capacity && Interlocked.Exchange(ref _trimming, 1) == 0)
        {
            try
            {
                Trim();
            }
            finally
            {
                Volatile.Write(ref _trimming, 0);
            }
        }
    }

    /// <summary>Drops expired conversations, then the least recently used down to 90% of the cap (amortised: runs rarely).</summary>
    private void Trim()
    {
        var now = _time.GetTimestamp();
        foreach (var (key, entry) in _entries)
        {
            if (_time.GetElapsedTime(entry.LastUsed, now) > _ttl)
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            }
        }

        var excess = _entries.Count - (_capacity * 9 / 10);
        if (excess <= 0)
        {
            return;
        }

        foreach (var (key, entry) in _entries.OrderBy(e => e.Value.LastUsed).Take(excess).ToList())
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
        }
    }

    private sealed class Entry(string modelId, long lastUsed)
    {
        public string ModelId { get; } = modelId;

        public long LastUsed { get; set; } = lastUsed;
    }
}
