using System.Collections.Concurrent;
using System.Text;
using EdgeRouter.Configuration;

namespace EdgeRouter.Simulator;

/// <summary>Per-model runtime state: counters, the fault script and the recent exchanges. Thread-safe.</summary>
internal sealed class ModelState
{
    public const int RecentCapacity = 64;

    private readonly ConcurrentQueue<SimulatedFault> _script = new();
    private readonly RecordedExchange?[] _recent = new RecordedExchange?[RecentCapacity];
    private readonly Lock _recentLock = new();
    private int _recentNext;
    private int _recentCount;
    private long _requests;
    private long _streamRequests;
    private long _includeUsageRequests;
    private long _completed;
    private long _canceled;
    private long _faultsInjected;

    public ModelState(SimulatedModelConfig config)
    {
        Config = config;
        NameUtf8 = Encoding.UTF8.GetBytes(config.Name);
        // The answer seed hashes "name\n" before the messages; that prefix never changes.
        HashPrefix = Fnv.Hash64(Fnv.Hash64(Fnv.Offset64, NameUtf8), "\n"u8);
        var faults = config.Faults;
        HasRandomFaults = faults.ErrorRate + faults.RateLimitRate + faults.StallRate + faults.DropRate > 0;
    }

    public SimulatedModelConfig Config { get; }

    public string Name => Config.Name;

    public byte[] NameUtf8 { get; }

    public ulong HashPrefix { get; }

    /// <summary>True when any random fault rate is above zero.</summary>
    public bool HasRandomFaults { get; }

    public int QueuedFaults => _script.Count;

    public void Enqueue(SimulatedFault fault) => _script.Enqueue(fault);

    public bool TryDequeue(out SimulatedFault? fault) => _script.TryDequeue(out fault);

    public void CountRequest(bool stream, bool includeUsage)
    {
        Interlocked.Increment(ref _requests);
        if (stream)
        {
            Interlocked.Increment(ref _streamRequests);
        }

        if (includeUsage)
        {
            Interlocked.Increment(ref _includeUsageRequests);
        }
    }

    public void CountFault() => Interlocked.Increment(ref _faultsInjected);

    public void CountCompleted() => Interlocked.Increment(ref _completed);

    public void CountCanceled() => Interlocked.Increment(ref _canceled);

    public SimulatedModelStats Snapshot() => new(
        Interlocked.Read(ref _requests),
        Interlocked.Read(ref _streamRequests),
        Interlocked.Read(ref _includeUsageRequests),
        Interlocked.Read(ref _completed),
        Interlocked.Read(ref _canceled),
        Interlocked.Read(ref _faultsInjected));

    public void Record(RecordedExchange exchange)
    {
        lock (_recentLock)
        {
            _recent[_recentNext] = exchange;
            _recentNext = (_recentNext + 1) % RecentCapacity;
            _recentCount = Math.Min(_recentCount + 1, RecentCapacity);
        }
    }

    public RecordedExchange[] Recent()
    {
        lock (_recentLock)
        {
            var result = new RecordedExchange[_recentCount];
            var start = (_recentNext - _recentCount + RecentCapacity) % RecentCapacity;
            for (var i = 0; i < _recentCount; i++)
            {
                result[i] = _recent[(start + i) % RecentCapacity]!;
            }

            return result;
        }
    }

    public void Reset()
    {
        _script.Clear();
        lock (_recentLock)
        {
            Array.Clear(_recent);
            _recentNext = 0;
            _recentCount = 0;
        }

        Interlocked.Exchange(ref _requests, 0);
        Interlocked.Exchange(ref _streamRequests, 0);
        Interlocked.Exchange(ref _includeUsageRequests, 0);
        Interlocked.Exchange(ref _completed, 0);
        Interlocked.Exchange(ref _canceled, 0);
        Interlocked.Exchange(ref _faultsInjected, 0);
    }
}
