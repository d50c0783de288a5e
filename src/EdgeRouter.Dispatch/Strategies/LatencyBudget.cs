namespace EdgeRouter.Dispatch.Strategies;

/// <summary>
/// The time a cascade may spend on one request, started when the cascade starts. A cascade escalates only while
/// <see cref="Allows"/> says the next tier's expected latency still fits, and gives each escalated call a
/// <see cref="Deadline"/> at the end of the budget. Not thread-safe (one cascade, one flow).
/// </summary>
public sealed class LatencyBudget
{
    private readonly TimeProvider _time;
    private readonly long _started;

    /// <summary>Starts a budget of <paramref name="budget"/> now; null means no limit.</summary>
    public LatencyBudget(TimeSpan? budget, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (budget is { } limit)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(limit, TimeSpan.Zero);
        }

        Budget = budget;
        _time = time;
        _started = time.GetTimestamp();
    }

    /// <summary>The whole budget, or null when unlimited.</summary>
    public TimeSpan? Budget { get; }

    /// <summary>True when there is a limit.</summary>
    public bool IsLimited => Budget is not null;

    /// <summary>Time since the budget started.</summary>
    public TimeSpan Elapsed => _time.GetElapsedTime(_started);

    /// <summary>What is left (never negative); <see cref="Timeout.InfiniteTimeSpan"/> when unlimited.</summary>
    public TimeSpan Remaining => Budget is { } budget
        ? (budget - Elapsed is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero)
        : Timeout.InfiniteTimeSpan;

    /// <summary>
    /// True when a step expected to take <paramref name="estimate"/> still fits: always without a limit; otherwise
    /// when time is left and the estimate (zero when unknown) is below what is left.
    /// </summary>
    public bool Allows(TimeSpan estimate) => !IsLimited || (Remaining > TimeSpan.Zero && estimate < Remaining);

    /// <summary>A token that fires at the end of the budget or when <paramref name="parent"/> fires; dispose it after the step.</summary>
    public BudgetDeadline Deadline(CancellationToken parent) => new(IsLimited ? Remaining : null, _time, parent);
}

/// <summary>A cancellation deadline at the end of a <see cref="LatencyBudget"/>, linked to the request's token.</summary>
public readonly struct BudgetDeadline : IDisposable
{
    private readonly CancellationTokenSource? _timer;
    private readonly CancellationTokenSource? _linked;
    private readonly CancellationToken _parent;

    internal BudgetDeadline(TimeSpan? remaining, TimeProvider time, CancellationToken parent)
    {
        _parent = parent;
        if (remaining is { } left)
        {
            _timer = new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.FromTicks(1), time);
            _linked = CancellationTokenSource.CreateLinkedTokenSource(parent, _timer.Token);
        }
    }

    /// <summary>The token to pass to the step.</summary>
    public CancellationToken Token => _linked?.Token ?? _parent;

    /// <summary>True when the budget, not the request, ended the step.</summary>
    public bool Expired => _timer is { IsCancellationRequested: true } && !_parent.IsCancellationRequested;

    /// <inheritdoc />
    public void Dispose()
    {
        _linked?.Dispose();
        _timer?.Dispose();
    }
}
