using System.Threading.Channels;

namespace EdgeRouter.Cache.Storage;

/// <summary>
/// Applies a store's writes on one background thread, in order, so a request that adds or evicts a cache entry never
/// waits for the store. Measured reason: a FASTER checkpoint (every second by default) holds up writes for hundreds
/// of milliseconds, and request threads blocked behind it stalled the whole gateway (p99 of the routed path 430 ms
/// instead of 4 ms at 200 requests/s; see bench/RESULTS.md). <see cref="CommitAsync"/> first waits for every write
/// queued before it, so "every write so far is durable after a commit" still holds; <see cref="Dispose"/> applies
/// what is queued, then disposes the inner store (its last checkpoint). Thread-safe.
/// </summary>
public sealed class WriteBehindStore : ICacheStore
{
    private readonly ICacheStore _inner;
    private readonly Channel<(CacheEntry? Entry, Guid Id)> _queue =
        Channel.CreateUnbounded<(CacheEntry?, Guid)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Thread _writer;
    private readonly Action<Exception>? _onError;
    private long _queued;
    private long _applied;
    private int _disposed;

    /// <summary>Wraps <paramref name="inner"/>; <paramref name="onError"/> hears about writes the inner store rejected.</summary>
    public WriteBehindStore(ICacheStore inner, Action<Exception>? onError = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _onError = onError;
        _writer = new Thread(Drain) { IsBackground = true, Name = "edgerouter-cache-writer" };
        _writer.Start();
    }

    /// <inheritdoc />
    public string Description => _inner.Description + ", written behind";

    /// <summary>Writes queued and not yet applied.</summary>
    public long Pending => Interlocked.Read(ref _queued) - Interlocked.Read(ref _applied);

    /// <inheritdoc />
    public IReadOnlyList<CacheEntry> ReadAll(out int damaged) => _inner.ReadAll(out damaged);

    /// <inheritdoc />
    public void Upsert(CacheEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Enqueue((entry, entry.Id));
    }

    /// <inheritdoc />
    public void Delete(Guid id) => Enqueue((null, id));

    /// <inheritdoc />
    public async ValueTask CommitAsync(CancellationToken cancellationToken = default)
    {
        await WaitAppliedAsync(Interlocked.Read(ref _queued), cancellationToken).ConfigureAwait(false);
        await _inner.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Applies every queued write, then disposes the inner store (which takes its last checkpoint).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        _writer.Join();
        _inner.Dispose();
    }

    private void Enqueue((CacheEntry? Entry, Guid Id) write)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Interlocked.Increment(ref _queued);
        if (!_queue.Writer.TryWrite(write))
        {
            Interlocked.Decrement(ref _queued);
            throw new ObjectDisposedException(nameof(WriteBehindStore));
        }
    }

    private async ValueTask WaitAppliedAsync(long target, CancellationToken cancellationToken)
    {
        while (Interlocked.Read(ref _applied) < target)
        {
            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Drain()
    {
        var reader = _queue.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var write))
            {
                try
                {
                    if (write.Entry is { } entry)
                    {
                        _inner.Upsert(entry);
                    }
                    else
                    {
                        _inner.Delete(write.Id);
                    }
                }
#pragma warning disable CA1031 // one rejected write must not stop the writer; the entry stays served from memory
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    _onError?.Invoke(ex);
                }
                finally
                {
                    Interlocked.Increment(ref _applied);
                }
            }
        }
    }
}
