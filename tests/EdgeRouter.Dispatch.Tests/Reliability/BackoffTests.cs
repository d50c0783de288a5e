using EdgeRouter.Configuration;
using EdgeRouter.Dispatch.Reliability;

namespace EdgeRouter.Tests.Reliability;

public class BackoffTests
{
    private static readonly RetryConfig Policy = new() { BaseDelayMs = 100, MaxDelayMs = 1_000 };

    [Theory]
    [InlineData(1, 100)]
    [InlineData(2, 200)]
    [InlineData(3, 400)]
    [InlineData(5, 1_000)]
    public void DelaysAreJitteredUpToAnExponentialCeiling(int retry, double ceilingMs)
    {
        var random = new Random(7);
        var delays = Enumerable.Range(0, 2_000).Select(_ => Backoff.Jittered(Policy, retry, random).TotalMilliseconds).ToList();

        Assert.All(delays, d => Assert.InRange(d, 0, ceilingMs));
        Assert.True(delays.Max() > ceilingMs * 0.95, "the ceiling is reached");
        Assert.InRange(delays.Average(), ceilingMs * 0.45, ceilingMs * 0.55);
    }

    [Theory]
    [InlineData("2", null, 2_000)]
    [InlineData("0.5", null, 500)]
    [InlineData("7", "1500", 1_500)]
    [InlineData(null, "250", 250)]
    [InlineData("Wed, 21 Oct 2015 07:28:30 GMT", null, 30_000)]
    [InlineData("Wed, 21 Oct 2015 07:27:00 GMT", null, 0)]
    public void RetryAfterIsReadFromSecondsMillisecondsOrADate(string? retryAfter, string? retryAfterMs, double expectedMs)
    {
        var now = new DateTimeOffset(2015, 10, 21, 7, 28, 0, TimeSpan.Zero);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Backoff.ParseRetryAfter(retryAfter, retryAfterMs, now));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("soon")]
    [InlineData("-3")]
    public void UnusableRetryAfterIsIgnored(string? retryAfter) =>
        Assert.Null(Backoff.ParseRetryAfter(retryAfter, null, DateTimeOffset.UnixEpoch));
}
