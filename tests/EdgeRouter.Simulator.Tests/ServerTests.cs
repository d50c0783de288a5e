using System.Collections.Concurrent;
using System.Diagnostics;
using EdgeRouter.Configuration;
using Microsoft.Extensions.Logging;

namespace EdgeRouter.Simulator.Tests;

public sealed class ServerTests
{
    [Fact]
    public async Task ApiBaseIsTheBoundAddressPlusV1()
    {
        await using var sim = await Sim.StartAsync();

        Assert.Equal("127.0.0.1", sim.BaseAddress.Host);
        Assert.NotEqual(0, sim.BaseAddress.Port);
        Assert.EndsWith("/", sim.BaseAddress.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal(sim.BaseAddress.AbsoluteUri + "v1", sim.ApiBase.AbsoluteUri);
    }

    [Fact]
    public async Task LocalhostWithPortZeroBindsTheIpv4Loopback()
    {
        await using var sim = await SimulatorServer.StartAsync(new SimulatorConfig { Url = "http://localhost:0", Models = [Sim.Fast] });
        using var client = Sim.Client(sim);

        Assert.Equal("ok", await client.GetStringAsync("healthz"));
    }

    [Fact]
    public async Task InvalidConfigurationsAreRejected()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => SimulatorServer.StartAsync(new SimulatorConfig { Url = "http://127.0.0.1:0" }));
        var https = await Assert.ThrowsAsync<ArgumentException>(() => SimulatorServer.StartAsync(new SimulatorConfig { Url = "https://127.0.0.1:0", Models = [Sim.Fast] }));
        Assert.Contains("simulator.url must be an absolute http:// URL", https.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogsOnlyThroughTheGivenLoggerFactory()
    {
        var provider = new ListLoggerProvider();
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(provider));
        await using var sim = await SimulatorServer.StartAsync(new SimulatorConfig { Url = "http://127.0.0.1:0", Models = [Sim.Fast] }, factory);

        Assert.Contains(provider.Messages, m => m.Contains("Simulator listening on " + sim.BaseAddress, StringComparison.Ordinal));
    }

    [Fact]
    public async Task StopCutsStalledRequestsShort()
    {
        var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        sim.State.EnqueueFaults("sim-fast", new SimulatedFault(SimulatedFaultKind.Stall, StallMs: 60_000));
        var pending = client.PostAsync("v1/chat/completions", Sim.Json(Sim.ChatBody("sim-fast", "hi", stream: true)));
        Assert.True(await Sim.EventuallyAsync(() => sim.State.Stats("sim-fast").Requests == 1));

        var clock = Stopwatch.StartNew();
        await sim.DisposeAsync();

        Assert.True(clock.ElapsedMilliseconds < 3000, $"stopping took {clock.ElapsedMilliseconds} ms");
        await Assert.ThrowsAsync<HttpRequestException>(() => pending);
        Assert.Equal(1, sim.State.Stats("sim-fast").Canceled);
    }

    [Fact]
    public async Task JitterAndRandomFaultsReplayWithTheSameSeed()
    {
        var model = Sim.Fast with { JitterMs = 5, Faults = new SimulatedFaultsConfig { ErrorRate = 0.3, RateLimitRate = 0.3 } };
        var runs = new List<string>();
        for (var run = 0; run < 2; run++)
        {
            await using var sim = await Sim.StartAsync(model);
            using var client = Sim.Client(sim);
            var statuses = new List<int>();
            for (var i = 0; i < 12; i++)
            {
                using var response = await client.PostAsync("v1/chat/completions", Sim.Json(Sim.ChatBody("sim-fast", "hi")));
                statuses.Add((int)response.StatusCode);
            }

            runs.Add(string.Join(",", statuses));
        }

        Assert.Equal(runs[0], runs[1]);
        Assert.Contains("200", runs[0], StringComparison.Ordinal);
    }

    private sealed class ListLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new ListLogger(Messages);

        public void Dispose()
        {
        }

        private sealed class ListLogger(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue(formatter(state, exception));
        }
    }
}
