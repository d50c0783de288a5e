namespace EdgeRouter.Dispatch.Reliability;

/// <summary>States of a <see cref="CircuitBreaker"/>.</summary>
public enum CircuitState
{
    /// <summary>Requests flow.</summary>
    Closed = 0,

    /// <summary>Requests are refused until the open period ends.</summary>
    Open = 1,

    /// <summary>One probe request is in flight; others are refused until it reports.</summary>
    HalfOpen = 2,
}

/// <summary>A state change caused by reporting an attempt's result, for logging.</summary>
public enum CircuitTransition : byte
{
    /// <summary>No change.</summary>
    None,

    /// <summary>The circuit opened (or re-opened after a failed probe).</summary>
    Opened,

    /// <summary>A probe succeeded and the circuit closed.</summary>
    Closed,
}

/// <summary>Permission to send one attempt, returned by <see cref="CircuitBreaker.TryAcquire"/>.</summary>
/// <param name="Granted">False when the circuit refused the attempt.</param>
/// <param name="IsProbe">True when this attempt is the half-open probe; its result decides the circuit.</param>
public readonly record struct CircuitPermit(bool Granted, bool IsProbe);

/// <summary>
/// Consecutive-failure circuit breaker for one provider. Closed: every attempt passes and failures are counted;
/// <c>threshold</c> consecutive failures open it. Open: attempts are refused for <c>openDuration</c>, after which
/// exactly one caller gets a probe permit (half-open). The probe's success closes the circuit; its failure opens it
/// again. Thread-safe; the closed path takes no lock.
/// </summary>
public sealed class CircuitBreaker
{
    private readonly int _threshold;
    private readonly TimeSpan _openDuration;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private int _state; // CircuitState
    private int _consecutiveFailures;
    private long _openUntil; // TimeProvider timestamp

    /// <summary>Creates a closed breaker.</summary>
    /// <param name="threshold">Consecutive failures that open the circuit; 0 disables the breaker.</param>
    /// <param name="openDuration">How long the circuit stays open before a probe.</param>
    /// <param name="time">Clock, replaceable in tests.</param>
    public CircuitBreaker(int threshold, TimeSpan openDuration, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        ArgumentNullException.ThrowIfNull(time);
        _threshold = threshold;
        _openDuration = openDuration;
        _time = time;
    }

    /// <summary>The current state.</summary>
    public CircuitState State => (CircuitState)Volatile.Read(ref _state);

    /// <summary>Consecutive failures counted while closed.</summary>
    public int ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);

    /// <summary>Asks to send one attempt. Every granted permit must be reported exactly once.</summary>
    public CircuitPermit TryAcquire()
    {
        if (_threshold == 0 || Volatile.Read(ref _state) == (int)CircuitState.Closed)
        {
            return new CircuitPermit(true, false);
        }

        lock (_gate)
        {
            if (_state == (int)CircuitState.Open && _time.GetTimestamp() >= _openUntil)
            {
                _state = (int)CircuitState.HalfOpen;
                return new CircuitPermit(true, true);
            }

            return _state == (int)CircuitState.Closed ? new CircuitPermit(true, false) : default;
        }
    }

    /// <summary>Reports a successful attempt.</summary>
    public CircuitTransition ReportSuccess(CircuitPermit permit)
    {
        if (_threshold == 0)
        {
            return CircuitTransition.None;
        }

        if (!permit.IsProbe)
        {
            if (Volatile.Read(ref _consecutiveFailures) != 0)
            {
                Interlocked.Exchange(ref _consecutiveFailures, 0);
            }

            return CircuitTransition.None;
        }

        lock (_gate)
        {
            _consecutiveFailures = 0;
            _state = (int)CircuitState.Closed;
            return CircuitTransition.Closed;
        }
    }

    /// <summary>Reports a failed attempt.</summary>
    public CircuitTransition ReportFailure(CircuitPermit permit)
    {
        if (_threshold == 0)
        {
            return CircuitTransition.None;
        }

        if (permit.IsProbe)
        {
            lock (_gate)
            {
                Open();
                return CircuitTransition.Opened;
            }
        }

        if (Interlocked.Increment(ref _consecutiveFailures) < _threshold)
        {
            return CircuitTransition.None;
        }

        lock (_gate)
        {
            if (_state != (int)CircuitState.Closed)
            {
                return CircuitTransition.None; // another failure already opened it
            }

            Open();
            return CircuitTransition.Opened;
        }
    }

    /// <summary>
    /// Reports an attempt that ended without telling anything about the provider (the client left). A probe permit
    /// is handed back so the next caller can probe at once.
    /// </summary>
    public void ReportAbandoned(CircuitPermit permit)
    {
        if (_threshold == 0 || !permit.IsProbe)
        {
            return;
        }

        lock (_gate)
        {
            if (_state == (int)CircuitState.HalfOpen)
            {
                _state = (int)CircuitState.Open;
                _openUntil = _time.GetTimestamp();
            }
        }
    }

    private void Open()
    {
        _state = (int)CircuitState.Open;
        _openUntil = _time.GetTimestamp() + (long)(_openDuration.TotalSeconds * _time.TimestampFrequency);
    }
}
