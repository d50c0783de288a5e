using System.Diagnostics;

namespace EdgeRouter.Pipeline;

/// <summary>
/// Splits one request's wall time into time spent waiting on upstreams (including retry backoff) and the rest,
/// which is the gateway's overhead. Not thread-safe: one request, one flow of control.
/// </summary>
public sealed class ExchangeTiming
{
    private long _upstreamTicks;
    private long _waitStarted;

    /// <summary>Starts the clock now.</summary>
    public ExchangeTiming()
        : this(Stopwatch.GetTimestamp())
    {
    }

    /// <summary>Starts the clock at <paramref name="startTimestamp"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public ExchangeTiming(long startTimestamp)
    {
        StartTimestamp = startTimestamp;
    }

    /// <summary>When the request arrived, as a <see cref="Stopwatch"/> timestamp.</summary>
    public long StartTimestamp { get; }

    /// <summary>Milliseconds since the request arrived.</summary>
    public double ElapsedMs => Stopwatch.GetElapsedTime(StartTimestamp).TotalMilliseconds;

    /// <summary>Milliseconds spent waiting on upstreams so far.</summary>
    public double UpstreamMs => Stopwatch.GetElapsedTime(0, _upstreamTicks).TotalMilliseconds;

    /// <summary>Milliseconds spent in the gateway itself so far.</summary>
    public double OverheadMs => Math.Max(0, ElapsedMs - UpstreamMs - OpenWaitMs);

    /// <summary>Time to the first byte of the answering upstream's response, in milliseconds (0 if none).</summary>
    public double UpstreamTimeToFirstByteMs { get; set; }

    private double OpenWaitMs => _waitStarted == 0 ? 0 : Stopwatch.GetElapsedTime(_waitStarted).TotalMilliseconds;

    /// <summary>Marks the start of an upstream wait.</summary>
    public void BeginUpstreamWait() => _waitStarted = Stopwatch.GetTimestamp();

    /// <summary>Marks the end of the current upstream wait.</summary>
    public void EndUpstreamWait()
    {
        if (_waitStarted != 0)
        {
            _upstreamTicks += Stopwatch.GetTimestamp() - _waitStarted;
            _waitStarted = 0;
        }
    }
}
