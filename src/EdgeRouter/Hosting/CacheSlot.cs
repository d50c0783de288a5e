namespace EdgeRouter.Hosting;

/// <summary>
/// Where the running semantic cache lives: empty until it opens (at startup, or after its encoder has loaded in the
/// background), so endpoints resolve it per request. Thread-safe.
/// </summary>
internal sealed class CacheSlot : IAsyncDisposable
{
    private CacheHost? _host;

    /// <summary>The open cache, if it has opened.</summary>
    public CacheHost? Host
    {
        get => Volatile.Read(ref _host);
        set => Volatile.Write(ref _host, value);
    }

    public ValueTask DisposeAsync() => Interlocked.Exchange(ref _host, null)?.DisposeAsync() ?? ValueTask.CompletedTask;
}
