using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using EdgeRouter.Configuration;

namespace EdgeRouter.Simulator.Tests;

public sealed class FaultTests
{
    [Fact]
    public async Task ScriptedRateLimitCarriesRetryAfterAndTheNextRequestSucceeds()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        sim.State.EnqueueFaults("sim-fast", new SimulatedFault(SimulatedFaultKind.RateLimit, RetryAfterSeconds: 7));

        using (var limited = await client.PostAsync("v1/chat/completions", Sim.Json(Sim.ChatBody("sim-fast", "hi"))))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(7), limited.Headers.RetryAfter?.Delta);
            using var error = JsonDocument.Parse(await limited.Content.ReadAsStringAsync());
            Assert.Equal("rate_limit_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
            Assert.Equal("rate_limit_exceeded", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        }

        await Sim.PostJsonAsync(client, "v1/chat/completions", Sim.ChatBody("sim-fast", "hi"));
        Assert.Equal(new SimulatedModelStats(2, 0, 0, 2, 0, 1), sim.State.Stats("sim-fast"));
    }

    [Fact]
    public async Task ScriptedErrorsUseTheirStatusInOrder()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        sim.State.EnqueueFaults("sim-fast",
            new SimulatedFault(SimulatedFaultKind.Error, Status: 503),
            new SimulatedFault(SimulatedFaultKind.None),
            new SimulatedFault(SimulatedFaultKind.Error));

        var statuses = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await client.PostAsync("v1/chat/completions", Sim.Json(Sim.ChatBody("sim-fast", "hi")));
            statuses.Add((int)response.StatusCode);
            if (statuses[^1] >= 500)
            {
                using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                Assert.Equal("server_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
                Assert.Equal("simulated upstream error", error.RootElement.GetProperty("error").GetProperty("message").GetString());
            }
        }

        Assert.Equal([503, 200, 500, 200], statuses);
        Assert.Equal(2, sim.State.Stats("sim-fast").FaultsInjected);
    }

    [Fact]
    public async Task StallDelaysTheFirstByte()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        sim.State.EnqueueFaults("sim-fast", new SimulatedFault(SimulatedFaultKind.Stall, StallMs: 300));
        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = Sim.Json(Sim.ChatBody("sim-fast", "hi", stream: true)) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        var first = new byte[1];
        Assert.Equal(1, await stream.ReadAsync(first));

        Assert.True(clock.ElapsedMilliseconds >= 290, $"first byte after {clock.ElapsedMilliseconds} ms");
        var rest = await new StreamReader(stream).ReadToEndAsync();
        Assert.EndsWith("data: [DONE]\n\n", rest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DropEndsTheStreamWithoutDoneAfterTheGivenTokens()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        sim.State.EnqueueFaults("sim-fast", new SimulatedFault(SimulatedFaultKind.Drop, AfterTokens: 3));
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = Sim.Json(Sim.ChatBody("sim-fast", "hi", stream: true)) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var received = new MemoryStream();
        await Assert.ThrowsAnyAsync<Exception>(async () => await (await response.Content.ReadAsStreamAsync()).CopyToAsync(received));

        var recorded = Assert.Single(sim.State.Recent("sim-fast"));
        Assert.Equal(received.ToArray(), recorded.ResponseBody);
        var events = Sim.Events(Encoding.UTF8.GetString(recorded.ResponseBody));
        Assert.Equal(1 + 3, events.Count);
        Assert.DoesNotContain("[DONE]", events);
        Assert.False(recorded.Canceled);
        Assert.Equal(new SimulatedModelStats(1, 1, 0, 0, 0, 1), sim.State.Stats("sim-fast"));
    }

    [Fact]
    public async Task DropWithoutStreamingAbortsBeforeAnyResponse()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        sim.State.EnqueueFaults("sim-fast", new SimulatedFault(SimulatedFaultKind.Drop));

        await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync("v1/chat/completions", Sim.Json(Sim.ChatBody("sim-fast", "hi"))));
        var recorded = Assert.Single(sim.State.Recent("sim-fast"));
        Assert.Equal(0, recorded.StatusCode);
        Assert.Empty(recorded.ResponseBody);
        await Sim.PostJsonAsync(client, "v1/chat/completions", Sim.ChatBody("sim-fast", "hi"));
    }

    [Fact]
    public async Task FaultsEndpointEnqueuesScriptedFaults()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        using (var enqueued = await client.PostAsync("_sim/faults", Sim.Json(
                   """{"model":"sim-fast","faults":[{"kind":"rate_limit","retryAfterSeconds":2},{"kind":"error","status":502},{"kind":"none"},{"kind":"drop","afterTokens":1}]}""")))
        {
            Assert.Equal(HttpStatusCode.NoContent, enqueued.StatusCode);
        }

        using var stats = JsonDocument.Parse(await client.GetStringAsync("_sim/stats"));
        Assert.Equal(4, stats.RootElement.GetProperty("sim-fast").GetProperty("queuedFaults").GetInt32());
        using (var limited = await client.PostAsync("v1/chat/completions", Sim.Json(Sim.ChatBody("sim-fast", "hi"))))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Equal("2", limited.Headers.GetValues("Retry-After").Single());
        }

        using (var failed = await client.PostAsync("v1/chat/completions", Sim.Json(Sim.ChatBody("sim-fast", "hi"))))
        {
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        }

        await Sim.PostJsonAsync(client, "v1/chat/completions", Sim.ChatBody("sim-fast", "hi"));
        await Assert.ThrowsAnyAsync<Exception>(() => Sim.PostTextAsync(client, "v1/chat/completions", Sim.ChatBody("sim-fast", "hi", stream: true)));
        Assert.Equal(new SimulatedModelStats(4, 1, 0, 3, 0, 3), sim.State.Stats("sim-fast"));
    }

    [Theory]
    [InlineData("", 400)]
    [InlineData("[]", 400)]
    [InlineData("""{"faults":[]}""", 400)]
    [InlineData("""{"model":"sim-fast"}""", 400)]
    [InlineData("""{"model":"sim-fast","faults":{}}""", 400)]
    [InlineData("""{"model":"sim-fast","faults":[{"kind":"explode"}]}""", 400)]
    [InlineData("""{"model":"sim-fast","faults":[{"status":500}]}""", 400)]
    [InlineData("""{"model":"sim-fast","faults":[{"kind":"error","status":200}]}""", 400)]
    [InlineData("""{"model":"sim-fast","faults":[{"kind":"stall","stallMs":-1}]}""", 400)]
    [InlineData("""{"model":"sim-fast","faults":[{"kind":"stall","stallMs":"long"}]}""", 400)]
    [InlineData("""{"model":"sim-fast","faults":[{"kind":"stall","colour":1}]}""", 400)]
    [InlineData("""{"model":"sim-fast","faults":[],"extra":true}""", 400)]
    [InlineData("""{"model":"nope","faults":[]}""", 404)]
    public async Task FaultsEndpointRejectsBadBodies(string body, int status)
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        var error = await Sim.PostJsonAsync(client, "_sim/faults", body, status);

        Assert.Equal("invalid_request_error", error.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(0, sim.State.Stats("sim-fast").Requests);
    }

    [Fact]
    public async Task RandomFaultsFollowTheConfiguredRates()
    {
        var flaky = Sim.Fast with { Name = "sim-flaky", Faults = new SimulatedFaultsConfig { ErrorRate = 0.5, RateLimitRate = 0.5 } };
        await using var sim = await Sim.StartAsync(flaky);
        using var client = Sim.Client(sim);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            using var response = await client.PostAsync("v1/chat/completions", Sim.Json(Sim.ChatBody("sim-flaky", "hi")));
            statuses.Add(response.StatusCode);
        }

        Assert.All(statuses, s => Assert.Contains(s, new[] { HttpStatusCode.InternalServerError, HttpStatusCode.TooManyRequests }));
        Assert.Contains(HttpStatusCode.InternalServerError, statuses);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.Equal(20, sim.State.Stats("sim-flaky").FaultsInjected);
    }

    [Fact]
    public async Task ResetClearsScriptsCountersAndRecordings()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        await Sim.PostJsonAsync(client, "v1/chat/completions", Sim.ChatBody("sim-fast", "hi"));
        sim.State.EnqueueFaults("sim-fast", new SimulatedFault(SimulatedFaultKind.Error));
        using (var reset = await client.PostAsync("_sim/reset", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        }

        Assert.Equal(new SimulatedModelStats(0, 0, 0, 0, 0, 0), sim.State.Stats("sim-fast"));
        Assert.Empty(sim.State.Recent("sim-fast"));
        await Sim.PostJsonAsync(client, "v1/chat/completions", Sim.ChatBody("sim-fast", "hi"));
    }

    [Fact]
    public async Task StatsEndpointReportsTheCountersOfEveryModel()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        await Sim.PostTextAsync(client, "v1/chat/completions",
            Sim.ChatBody("sim-fast", "hi", stream: true, extra: ",\"stream_options\":{\"include_usage\":true}"));

        using var stats = JsonDocument.Parse(await client.GetStringAsync("_sim/stats"));
        Assert.Equal(["sim-fast", "sim-paced", "sim-slow"], stats.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("""{"requests":1,"streamRequests":1,"includeUsageRequests":1,"completed":1,"canceled":0,"faultsInjected":0,"queuedFaults":0}""",
            stats.RootElement.GetProperty("sim-fast").GetRawText());
    }

    [Fact]
    public async Task EnqueueFaultsRejectsUnknownModelsAndBadSettings()
    {
        await using var sim = await Sim.StartAsync();

        Assert.Throws<ArgumentException>(() => sim.State.EnqueueFaults("nope", new SimulatedFault(SimulatedFaultKind.Error)));
        Assert.Throws<ArgumentException>(() => sim.State.EnqueueFaults("sim-fast", new SimulatedFault(SimulatedFaultKind.Error, Status: 99)));
        Assert.Throws<ArgumentException>(() => sim.State.EnqueueFaults("sim-fast", new SimulatedFault(SimulatedFaultKind.Stall, StallMs: -5)));
    }
}
