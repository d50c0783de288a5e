using EdgeRouter.Dispatch.Strategies;

namespace EdgeRouter.Tests.Strategies;

public class LoserCancellationTests
{
    [Fact]
    public void TheWinnerCancelsEveryOtherContestantAtOnce()
    {
        using var race = new LoserCancellation(3, CancellationToken.None);
        var cancelledDuringCall = new bool[3];
        for (var i = 0; i < 3; i++)
        {
            var index = i;
            race.Token(i).Register(() => cancelledDuringCall[index] = true);
        }

        race.CancelAllBut(1);

        // Callbacks (an HTTP abort) ran synchronously, inside CancelAllBut.
        Assert.Equal([true, false, true], cancelledDuringCall);
        Assert.True(race.IsCanceled(0));
        Assert.False(race.IsCanceled(1));
        Assert.True(race.IsCanceled(2));
    }

    [Fact]
    public async Task TheRequestTokenCancelsEveryContestant()
    {
        using var request = new CancellationTokenSource();
        using var race = new LoserCancellation(2, request.Token);

        await request.CancelAsync();

        Assert.True(race.Token(0).IsCancellationRequested);
        Assert.True(race.Token(1).IsCancellationRequested);
    }

    [Fact]
    public async Task ALosingUpstreamWaitEndsAsSoonAsTheWinnerClaims()
    {
        using var race = new LoserCancellation(2, CancellationToken.None);
        var winner = new RaceWinner();
        var loser = Task.Delay(TimeSpan.FromSeconds(30), race.Token(0));

        if (winner.TryClaim(1))
        {
            race.CancelAllBut(1);
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loser.WaitAsync(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void AWinnerOutsideTheRaceIsRejected()
    {
        using var race = new LoserCancellation(2, CancellationToken.None);

        Assert.Throws<ArgumentOutOfRangeException>(() => race.CancelAllBut(2));
    }
}
