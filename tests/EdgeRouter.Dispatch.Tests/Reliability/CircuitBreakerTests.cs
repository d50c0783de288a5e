using EdgeRouter.Dispatch.Reliability;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRouter.Tests.Reliability;

public class CircuitBreakerTests
{
    private readonly FakeTimeProvider _time = new();

    private CircuitBreaker Breaker(int threshold = 3) => new(threshold, TimeSpan.FromSeconds(10), _time);

    private static void Fail(CircuitBreaker breaker, int times)
    {
        for (var i = 0; i < times; i++)
        {
            breaker.ReportFailure(breaker.TryAcquire());
        }
    }

    [Fact]
    public void OpensAfterTheThresholdOfConsecutiveFailures()
    {
        var breaker = Breaker();
        Fail(breaker, 2);
        Assert.Equal(CircuitState.Closed, breaker.State);

        var transition = breaker.ReportFailure(breaker.TryAcquire());

        Assert.Equal(CircuitTransition.Opened, transition);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.False(breaker.TryAcquire().Granted);
    }

    [Fact]
    public void ASuccessResetsTheFailureCount()
    {
        var breaker = Breaker();
        Fail(breaker, 2);
        breaker.ReportSuccess(breaker.TryAcquire());
        Fail(breaker, 2);

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(2, breaker.ConsecutiveFailures);
    }

    [Fact]
    public void AfterTheOpenPeriodExactlyOneProbeIsLetThrough()
    {
        var breaker = Breaker();
        Fail(breaker, 3);
        _time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(breaker.TryAcquire().Granted);
        _time.Advance(TimeSpan.FromSeconds(0.2));

        var probe = breaker.TryAcquire();
        var second = breaker.TryAcquire();

        Assert.True(probe.Granted);
        Assert.True(probe.IsProbe);
        Assert.False(second.Granted);
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
    }

    [Fact]
    public void ASuccessfulProbeClosesTheCircuit()
    {
        var breaker = Breaker();
        Fail(breaker, 3);
        _time.Advance(TimeSpan.FromSeconds(11));

        var transition = breaker.ReportSuccess(breaker.TryAcquire());

        Assert.Equal(CircuitTransition.Closed, transition);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.True(breaker.TryAcquire().Granted);
    }

    [Fact]
    public void AFailedProbeReopensForAnotherFullPeriod()
    {
        var breaker = Breaker();
        Fail(breaker, 3);
        _time.Advance(TimeSpan.FromSeconds(11));

        Assert.Equal(CircuitTransition.Opened, breaker.ReportFailure(breaker.TryAcquire()));
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(breaker.TryAcquire().Granted);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(breaker.TryAcquire().IsProbe);
    }

    [Fact]
    public void AnAbandonedProbeLetsTheNextCallerProbeAtOnce()
    {
        var breaker = Breaker();
        Fail(breaker, 3);
        _time.Advance(TimeSpan.FromSeconds(11));

        breaker.ReportAbandoned(breaker.TryAcquire());

        Assert.True(breaker.TryAcquire().IsProbe);
    }

    [Fact]
    public void AThresholdOfZeroDisablesTheBreaker()
    {
        var breaker = Breaker(threshold: 0);
        Fail(breaker, 100);

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.True(breaker.TryAcquire().Granted);
    }

    [Fact]
    public async Task ConcurrentFailuresOpenTheCircuitOnce()
    {
        var breaker = Breaker(threshold: 50);
        var opened = 0;

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                var permit = breaker.TryAcquire();
                if (permit.Granted && breaker.ReportFailure(permit) == CircuitTransition.Opened)
                {
                    Interlocked.Increment(ref opened);
                }
            }
        })));

        Assert.Equal(1, opened);
        Assert.Equal(CircuitState.Open, breaker.State);
    }
}
