namespace EdgeRouter.Runtime;

/// <summary>Holds the current <see cref="GatewaySnapshot"/>; a reload swaps it atomically. Thread-safe.</summary>
public sealed class SnapshotHolder
{
    private GatewaySnapshot _current;

    /// <summary>Starts with <paramref name="initial"/>.</summary>
    public SnapshotHolder(GatewaySnapshot initial)
    {
        _current = initial;
    }

    /// <summary>The snapshot new requests use.</summary>
    public GatewaySnapshot Current => Volatile.Read(ref _current);

    /// <summary>Makes <paramref name="next"/> current and returns the one it replaced.</summary>
    public GatewaySnapshot Swap(GatewaySnapshot next) => Interlocked.Exchange(ref _current, next);
}
