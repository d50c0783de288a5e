namespace EdgeRouter.Dispatch.Strategies;

/// <summary>
/// One cancellation token per race contestant, each linked to the request's token (a client disconnect cancels them
/// all), so that the winner can cancel every other contestant at once with <see cref="CancelAllBut"/>: their
/// upstream exchanges are aborted synchronously, inside the call. Thread-safe; dispose after the race.
/// </summary>
public sealed class LoserCancellation : IDisposable
{
    private readonly CancellationTokenSource[] _sources;

    /// <summary>Creates tokens for <paramref name="contestants"/> contestants, linked to <paramref name="parent"/>.</summary>
    public LoserCancellation(int contestants, CancellationToken parent)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(contestants);
        _sources = new CancellationTokenSource[contestants];
        for (var i = 0; i < contestants; i++)
        {
            _sources[i] = CancellationTokenSource.CreateLinkedTokenSource(parent);
        }
    }

    /// <summary>Number of contestants.</summary>
    public int Count => _sources.Length;

    /// <summary>The token of <paramref name="contestant"/>.</summary>
    public CancellationToken Token(int contestant) => _sources[contestant].Token;

    /// <summary>True when <paramref name="contestant"/> was cancelled (lost, or the request was cancelled).</summary>
    public bool IsCanceled(int contestant) => _sources[contestant].IsCancellationRequested;

    /// <summary>Cancels every contestant except <paramref name="winner"/>, now.</summary>
    public void CancelAllBut(int winner)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(winner);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(winner, _sources.Length);
        for (var i = 0; i < _sources.Length; i++)
        {
            if (i != winner)
            {
                _sources[i].Cancel();
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var source in _sources)
        {
            source.Dispose();
        }
    }
}
