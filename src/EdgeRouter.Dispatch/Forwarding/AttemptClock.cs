using System.Diagnostics;
using EdgeRouter.Configuration;

namespace EdgeRouter.Dispatch.Forwarding;

/// <summary>
/// Drives one attempt's timeouts through a single cancellation source: first the first-byte timeout, then the
/// stream idle timeout re-armed per chunk, never past the total deadline. Remembers which one is armed so a
/// cancellation can be explained.
/// </summary>
internal sealed class AttemptClock : IDisposable
{
    private readonly TimeoutConfig _timeouts;
    private readonly long _deadline;
    private Phase _phase;

    public AttemptClock(TimeoutConfig timeouts, CancellationToken clientAborted)
    {
        _timeouts = timeouts;
        _deadline = Stopwatch.GetTimestamp() + (long)(timeouts.TotalMs / 1000.0 * Stopwatch.Frequency);
        Source = CancellationTokenSource.CreateLinkedTokenSource(clientAborted);
        ClientAborted = clientAborted;
        Arm(Phase.FirstByte, timeouts.FirstByteMs);
    }

    private enum Phase
    {
        FirstByte,
        Idle,
        Total,
    }

    public CancellationToken Token => Source.Token;

    private CancellationTokenSource Source { get; }

    public CancellationToken ClientAborted { get; }

    /// <summary>True when a timeout (not the client) cancelled the attempt.</summary>
    public bool TimedOut => Source.IsCancellationRequested && !ClientAborted.IsCancellationRequested;

    /// <summary>Why the token fired: the client left, or which timeout ran out.</summary>
    public string CancelReason => ClientAborted.IsCancellationRequested
        ? "client disconnected"
        : _phase switch
        {
            Phase.FirstByte => $"no response within firstByteMs ({_timeouts.FirstByteMs} ms)",
            Phase.Idle => $"upstream silent for streamIdleMs ({_timeouts.StreamIdleMs} ms)",
            _ => $"exceeded totalMs ({_timeouts.TotalMs} ms)",
        };

    /// <summary>Switches to (or re-arms) the idle timeout; call after each chunk arrives.</summary>
    public void ChunkArrived() => Arm(Phase.Idle, _timeouts.StreamIdleMs);

    public void Dispose() => Source.Dispose();

    private void Arm(Phase phase, int phaseMs)
    {
        var remainingMs = (_deadline - Stopwatch.GetTimestamp()) * 1000.0 / Stopwatch.Frequency;
        if (remainingMs <= phaseMs)
        {
            _phase = Phase.Total;
            Source.CancelAfter(TimeSpan.FromMilliseconds(Math.Max(1, remainingMs)));
        }
        else
        {
            _phase = phase;
            Source.CancelAfter(phaseMs);
        }
    }
}
