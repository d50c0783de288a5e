namespace EdgeRouter.Routing.Mixture;

/// <summary>
/// One router's agreement with verified outcomes: a moving average with hysteresis that says whether its weight is
/// cut. Thread-safe.
/// </summary>
public sealed class RouterAgreement
{
    private readonly MixtureFeedback _settings;
    private readonly Lock _gate = new();
    private double _agreement = 1;
    private long _samples;
    private bool _cut;

    /// <summary>Creates the tracker; agreement starts at 1 (innocent until measured).</summary>
    public RouterAgreement(MixtureFeedback settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
    }

    /// <summary>The moving-average agreement in [0, 1].</summary>
    public double Agreement
    {
        get
        {
            lock (_gate)
            {
                return _agreement;
            }
        }
    }

    /// <summary>True while the router's weight is cut.</summary>
    public bool IsCut
    {
        get
        {
            lock (_gate)
            {
                return _cut;
            }
        }
    }

    /// <summary>The multiplier on the router's weight: 1, or <see cref="MixtureFeedback.Cut"/> while cut.</summary>
    public double Multiplier => IsCut ? _settings.Cut : 1;

    /// <summary>Adds one outcome: whether the router's pick agreed with it.</summary>
    public void Observe(bool agreed)
    {
        lock (_gate)
        {
            _agreement += _settings.Alpha * ((agreed ? 1 : 0) - _agreement);
            _samples++;
            if (!_cut && _samples >= _settings.MinSamples && _agreement < _settings.MinAgreement)
            {
                _cut = true;
            }
            else if (_cut && _agreement >= _settings.RecoverAt)
            {
                _cut = false;
            }
        }
    }
}
