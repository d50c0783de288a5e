using EdgeRouter.Dispatch.Strategies;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRouter.Tests.Strategies;

public class LatencyBudgetTests
{
    [Fact]
    public void WithoutALimitEveryStepIsAffordable()
    {
        var budget = new LatencyBudget(null, new FakeTimeProvider());

        Assert.False(budget.IsLimited);
        Assert.True(budget.Allows(TimeSpan.FromHours(1)));
        Assert.Equal(Timeout.InfiniteTimeSpan, budget.Remaining);
    }

    [Fact]
    public void AStepIsAffordableWhileItsEstimateFitsInWhatIsLeft()
    {
        var time = new FakeTimeProvider();
        var budget = new LatencyBudget(TimeSpan.FromMilliseconds(1000), time);

        time.Advance(TimeSpan.FromMilliseconds(600));

        Assert.Equal(TimeSpan.FromMilliseconds(400), budget.Remaining);
        Assert.True(budget.Allows(TimeSpan.FromMilliseconds(399)));
        Assert.False(budget.Allows(TimeSpan.FromMilliseconds(400)));
        Assert.True(budget.Allows(TimeSpan.Zero)); // an unknown latency is tried while time is left
    }

    [Fact]
    public void ASpentBudgetAffordsNothing()
    {
        var time = new FakeTimeProvider();
        var budget = new LatencyBudget(TimeSpan.FromMilliseconds(100), time);

        time.Advance(TimeSpan.FromMilliseconds(150));

        Assert.Equal(TimeSpan.Zero, budget.Remaining);
        Assert.False(budget.Allows(TimeSpan.Zero));
    }

    [Fact]
    public void TheDeadlineFiresAtTheEndOfTheBudgetAndSaysSo()
    {
        var time = new FakeTimeProvider();
        var budget = new LatencyBudget(TimeSpan.FromMilliseconds(500), time);
        time.Advance(TimeSpan.FromMilliseconds(200));
        using var deadline = budget.Deadline(CancellationToken.None);

        time.Advance(TimeSpan.FromMilliseconds(299));
        Assert.False(deadline.Token.IsCancellationRequested);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(deadline.Token.IsCancellationRequested);
        Assert.True(deadline.Expired);
    }

    [Fact]
    public async Task TheRequestTokenEndsADeadlineWithoutExpiringIt()
    {
        using var request = new CancellationTokenSource();
        var budget = new LatencyBudget(TimeSpan.FromSeconds(10), new FakeTimeProvider());
        using var deadline = budget.Deadline(request.Token);

        await request.CancelAsync();

        Assert.True(deadline.Token.IsCancellationRequested);
        Assert.False(deadline.Expired);
    }

    [Fact]
    public void AnUnlimitedDeadlineIsTheRequestToken()
    {
        using var request = new CancellationTokenSource();
        using var deadline = new LatencyBudget(null, TimeProvider.System).Deadline(request.Token);

        Assert.Equal(request.Token, deadline.Token);
    }

    [Fact]
    public void ABudgetMustBePositive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LatencyBudget(TimeSpan.Zero, TimeProvider.System));
}
