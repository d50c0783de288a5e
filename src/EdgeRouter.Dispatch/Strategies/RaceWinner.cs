namespace EdgeRouter.Dispatch.Strategies;

/// <summary>
/// Picks the winner of a race exactly once: the first contestant to call <see cref="TryClaim"/> wins, every later
/// claim fails. One compare-and-swap, no lock. Thread-safe.
/// </summary>
public sealed class RaceWinner
{
    private int _winner = -1;

    /// <summary>The winning contestant's index, or -1 while nobody has won.</summary>
    public int Winner => Volatile.Read(ref _winner);

    /// <summary>True once a contestant has won.</summary>
    public bool HasWinner => Winner >= 0;

    /// <summary>Claims the win for <paramref name="contestant"/>; true only for the first claim of the race.</summary>
    public bool TryClaim(int contestant)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(contestant);
        return Interlocked.CompareExchange(ref _winner, contestant, -1) == -1;
    }
}
