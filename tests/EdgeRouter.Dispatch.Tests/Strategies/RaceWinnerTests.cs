using EdgeRouter.Dispatch.Strategies;

namespace EdgeRouter.Tests.Strategies;

public class RaceWinnerTests
{
    [Fact]
    public void TheFirstClaimWinsAndLaterClaimsLose()
    {
        var race = new RaceWinner();

        Assert.False(race.HasWinner);
        Assert.Equal(-1, race.Winner);
        Assert.True(race.TryClaim(1));
        Assert.False(race.TryClaim(0));
        Assert.False(race.TryClaim(1));
        Assert.Equal(1, race.Winner);
    }

    [Fact]
    public async Task ExactlyOneOfManyConcurrentClaimsWins()
    {
        for (var round = 0; round < 200; round++)
        {
            var race = new RaceWinner();
            using var start = new ManualResetEventSlim();
            var claims = Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            {
                start.Wait();
                return race.TryClaim(i);
            })).ToArray();

            start.Set();
            var results = await Task.WhenAll(claims);

            Assert.Single(results, won => won);
            Assert.True(results[race.Winner]);
        }
    }

    [Fact]
    public void ANegativeContestantIsRejected() => Assert.Throws<ArgumentOutOfRangeException>(() => new RaceWinner().TryClaim(-1));
}
