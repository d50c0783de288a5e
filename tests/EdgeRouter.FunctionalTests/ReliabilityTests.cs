using System.Diagnostics;
using System.Net;
using System.Text.Json;
using EdgeRouter.Simulator;

namespace EdgeRouter.FunctionalTests;

public class ReliabilityTests
{
    private static SimulatedFault RateLimit(int seconds) => new(SimulatedFaultKind.RateLimit, RetryAfterSeconds: seconds);

    private static SimulatedFault Error(int status = 500) => new(SimulatedFaultKind.Error, Status: status);

    private static string Model(HttpResponseMessage response) => response.Headers.GetValues("x-edgerouter-model").Single();

    [Fact]
    public async Task ARetryWaitsForRetryAfterAndThenSucceeds()
    {
        await using var test = await TestGateway.StartAsync();
        test.Sim.EnqueueFaults("sim-cheap", RateLimit(1));
        var clock = Stopwatch.StartNew();

        using var response = await test.PostChatAsync(TestGateway.ChatBody("fast"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("sim/cheap", Model(response));
        Assert.Equal(2, test.Sim.Stats("sim-cheap").Requests);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.95, 4.0); // waited the 1 s Retry-After; the upper bound leaves room for a loaded CI machine
        Assert.InRange(double.Parse(response.Headers.GetValues("x-edgerouter-overhead-ms").Single(), System.Globalization.CultureInfo.InvariantCulture), 0, 500);
    }

    [Fact]
    public async Task ARetryAfterLongerThanTheCapFallsBackAtOnce()
    {
        await using var test = await TestGateway.StartAsync();
        test.Sim.EnqueueFaults("sim-cheap", RateLimit(30));
        var clock = Stopwatch.StartNew();

        using var response = await test.PostChatAsync(TestGateway.ChatBody("fast"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("sim/strong", Model(response));
        Assert.Equal(1, test.Sim.Stats("sim-cheap").Requests);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), clock.Elapsed.ToString());
    }

    [Fact]
    public async Task ServerErrorsAreRetriedThenFallBackInOrder()
    {
        await using var test = await TestGateway.StartAsync();
        test.Sim.EnqueueFaults("sim-cheap", Error(500), Error(503));

        using var response = await test.PostChatAsync(TestGateway.ChatBody("fast", extra: ",\"stream\":true"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("sim/strong", Model(response));
        Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);
        Assert.Equal(2, test.Sim.Stats("sim-cheap").Requests);
        Assert.Contains(test.Logs.Lines, l => l.Category == "EdgeRouter.Decision" && l.Message.Contains("attempts=3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheRouteFallbackCoversAnotherProvider()
    {
        await using var test = await TestGateway.StartAsync();
        test.Sim.EnqueueFaults("sim-strong", Error(502), Error(502));

        using var response = await test.PostChatAsync(TestGateway.ChatBody("pair"));
        Assert.Equal(2, test.Sim.Stats("sim-strong").Requests);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("sim2/strong", Model(response));
        Assert.Equal("sim2", response.Headers.GetValues("x-edgerouter-provider").Single());
    }

    [Fact]
    public async Task ADropBeforeTheFirstByteIsRetried()
    {
        await using var test = await TestGateway.StartAsync();
        test.Sim.EnqueueFaults("sim-cheap", new SimulatedFault(SimulatedFaultKind.Drop));

        using var response = await test.PostChatAsync(TestGateway.ChatBody("sim/cheap"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, test.Sim.Stats("sim-cheap").Requests);
    }

    [Fact]
    public async Task AStallBeforeTheFirstByteTimesOutAndFallsBack()
    {
        await using var test = await TestGateway.StartAsync(api => TestGateway.Config(api,
            providerExtra: ",\"timeouts\": { \"firstByteMs\": 300 }"));
        test.Sim.EnqueueFaults("sim-cheap", new SimulatedFault(SimulatedFaultKind.Stall, StallMs: 10_000), new SimulatedFault(SimulatedFaultKind.Stall, StallMs: 10_000));
        var clock = Stopwatch.StartNew();

        using var response = await test.PostChatAsync(TestGateway.ChatBody("fast", extra: ",\"stream\":true"));
        await response.Content.ReadAsStringAsync();

        Assert.Equal("sim/strong", Model(response));
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.55, 5);
        Assert.Contains(test.Logs.Lines, l => l.Message.Contains("no response within firstByteMs (300 ms)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AMidStreamDropEndsTheStreamWithAnErrorEventAndNoDone()
    {
        await using var test = await TestGateway.StartAsync();
        test.Sim.EnqueueFaults("sim-cheap", new SimulatedFault(SimulatedFaultKind.Drop, AfterTokens: 3));

        using var response = await test.PostChatAsync(TestGateway.ChatBody("sim/cheap", extra: ",\"stream\":true"));
        var payloads = Sse.Payloads(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("[DONE]", payloads);
        Assert.Equal(4, payloads.Count(p => p.Contains("chat.completion.chunk", StringComparison.Ordinal)));
        var error = JsonDocument.Parse(payloads[^1]).RootElement.GetProperty("error");
        Assert.Equal("stream_interrupted", error.GetProperty("code").GetString());
        Assert.Equal(1, test.Sim.Stats("sim-cheap").Requests); // never retried after the first byte
    }

    [Fact]
    public async Task AClientDisconnectCancelsTheUpstreamRequest()
    {
        await using var test = await TestGateway.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = TestGateway.Json(TestGateway.ChatBody("sim/slow", extra: ",\"stream\":true")),
        };
        using (var response = await test.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            await using var stream = await response.Content.ReadAsStreamAsync();
            await using var events = Sse.ReadAsync(stream).GetAsyncEnumerator();
            Assert.True(await events.MoveNextAsync());
            Assert.True(await events.MoveNextAsync());
        }

        // 200 tokens at 5 tokens/s would take 40 s; the upstream must see the cancellation long before.
        var deadline = Stopwatch.StartNew();
        while (test.Sim.Stats("sim-slow").Canceled == 0 && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(20);
        }

        Assert.Equal(1, test.Sim.Stats("sim-slow").Canceled);
        Assert.Equal(0, test.Sim.Stats("sim-slow").Completed);
    }

    [Fact]
    public async Task TheCircuitOpensAfterConsecutiveFailuresAndAProbeClosesIt()
    {
        await using var test = await TestGateway.StartAsync(api => TestGateway.Config(api,
            retry: """{ "maxAttempts": 1 }""", breaker: """{ "failureThreshold": 2, "openMs": 600 }"""));
        test.Sim.EnqueueFaults("sim-strong", Error(), Error());

        // Two failures (each answered by the fallback on sim2) open sim's circuit...
        for (var i = 0; i < 2; i++)
        {
            using var answered = await test.PostChatAsync(TestGateway.ChatBody("pair"));
            Assert.Equal("sim2/strong", Model(answered));
        }

        Assert.Contains("\"sim\":\"open\"", await test.Client.GetStringAsync("/readyz"), StringComparison.Ordinal);

        // ...so sim is not even tried while open...
        using (var skipped = await test.PostChatAsync(TestGateway.ChatBody("pair")))
        {
            Assert.Equal("sim2/strong", Model(skipped));
        }

        Assert.Equal(2, test.Sim.Stats("sim-strong").Requests);
        await Task.Delay(700);

        // ...until the open period ends and one probe goes through, succeeds and closes it.
        using (var probe = await test.PostChatAsync(TestGateway.ChatBody("pair")))
        {
            Assert.Equal("sim/strong", Model(probe));
        }

        Assert.Contains("\"sim\":\"closed\"", await test.Client.GetStringAsync("/readyz"), StringComparison.Ordinal);
        Assert.Contains(test.Logs.Lines, l => l.Message.Contains("provider sim: circuit opened", StringComparison.Ordinal));
        Assert.Contains(test.Logs.Lines, l => l.Message.Contains("provider sim: circuit closed", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(500, 502, "upstream_server_error")]
    [InlineData(429, 503, "upstream_rate_limited")]
    public async Task WhenEveryCandidateFailsTheClientGetsAGatewayError(int upstreamStatus, int expected, string code)
    {
        await using var test = await TestGateway.StartAsync();
        var fault = upstreamStatus == 429 ? RateLimit(60) : Error(upstreamStatus);
        test.Sim.EnqueueFaults("sim-cheap", fault, fault);
        test.Sim.EnqueueFaults("sim-strong", fault, fault);

        using var response = await test.PostChatAsync(TestGateway.ChatBody("fast"));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(expected, (int)response.StatusCode);
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.StartsWith("No upstream could answer", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        if (upstreamStatus == 429)
        {
            Assert.Equal("60", response.Headers.GetValues("Retry-After").Single());
        }
    }

    [Fact]
    public async Task TimeoutsOnEveryCandidateGiveA504()
    {
        await using var test = await TestGateway.StartAsync(api => TestGateway.Config(api,
            providerExtra: ",\"timeouts\": { \"firstByteMs\": 200 }"));
        var stall = new SimulatedFault(SimulatedFaultKind.Stall, StallMs: 5_000);
        test.Sim.EnqueueFaults("sim-cheap", stall, stall);
        test.Sim.EnqueueFaults("sim-strong", stall, stall);

        using var response = await test.PostChatAsync(TestGateway.ChatBody("fast"));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("timeout_error", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task AnUpstreamRejectionOfTheRequestIsRelayedAsIs()
    {
        await using var test = await TestGateway.StartAsync();

        using var response = await test.PostChatAsync(TestGateway.ChatBody("sim/ghost"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("model_not_found", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("sim-does-not-exist", body, StringComparison.Ordinal);
        Assert.Equal("sim/ghost", response.Headers.GetValues("x-edgerouter-model").Single());
    }
}
