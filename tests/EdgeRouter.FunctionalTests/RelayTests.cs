using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace EdgeRouter.FunctionalTests;

public class RelayTests
{
    private const string Unknowns = ""","x_vendor":{"keep":[1,"two",null]},"temperature":0.5,"metadata":{"k":"v"}""";

    [Fact]
    public async Task APlainCompletionIsRelayedByteForByteWithOnlyTheModelRewritten()
    {
        await using var test = await TestGateway.StartAsync();
        var body = TestGateway.ChatBody("fast", extra: Unknowns);

        using var response = await test.PostChatAsync(body);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        var exchange = test.Sim.Recent("sim-cheap")[^1];
        Assert.Equal(body.Replace("\"fast\"", "\"sim-cheap\"", StringComparison.Ordinal), Encoding.UTF8.GetString(exchange.RequestBody));
        Assert.Equal(Encoding.UTF8.GetString(exchange.ResponseBody).Replace("\"model\":\"sim-cheap\"", "\"model\":\"sim/cheap\"", StringComparison.Ordinal), text);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task EveryAnswerCarriesTheGatewayHeaders()
    {
        await using var test = await TestGateway.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = TestGateway.Json(TestGateway.ChatBody("fast")) };
        request.Headers.Add("x-request-id", "client-chosen-42");

        using var response = await test.Client.SendAsync(request);

        Assert.Equal("client-chosen-42", response.Headers.GetValues("x-request-id").Single());
        Assert.Equal("fast", response.Headers.GetValues("x-edgerouter-route").Single());
        Assert.Equal("sim/cheap", response.Headers.GetValues("x-edgerouter-model").Single());
        Assert.Equal("sim", response.Headers.GetValues("x-edgerouter-provider").Single());
        var overhead = double.Parse(response.Headers.GetValues("x-edgerouter-overhead-ms").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(overhead, 0, 1000);
    }

    [Fact]
    public async Task TheUpstreamGetsTheProvidersCredentialsAndOnlyTheAllowedClientHeaders()
    {
        await using var test = await TestGateway.StartAsync(
            api => TestGateway.Config(api, providerExtra: """
                , "apiKeyEnv": "SIM_KEY", "headers": { "x-team": "edge" }, "forwardHeaders": ["x-trace-tag", "OpenAI-Beta"]
                """),
            environment: name => name == "SIM_KEY" ? "sk-from-env" : null);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = TestGateway.Json(TestGateway.ChatBody("fast")) };
        request.Headers.Add("x-request-id", "trace-me");
        request.Headers.Add("x-trace-tag", "blue");
        request.Headers.Add("x-secret-client-header", "do-not-forward");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer client-key");

        using var response = await test.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var headers = test.Sim.Recent("sim-cheap")[^1].RequestHeaders;
        Assert.Equal("Bearer sk-from-env", headers["authorization"]);
        Assert.Equal("edge", headers["x-team"]);
        Assert.Equal("blue", headers["x-trace-tag"]);
        Assert.Equal("trace-me", headers["x-request-id"]);
        Assert.False(headers.ContainsKey("x-secret-client-header"));
    }

    [Fact]
    public async Task AnUnsafeRequestIdIsReplaced()
    {
        await using var test = await TestGateway.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = TestGateway.Json(TestGateway.ChatBody("fast")) };
        request.Headers.TryAddWithoutValidation("x-request-id", "bad id with spaces");

        using var response = await test.Client.SendAsync(request);

        Assert.StartsWith("req_", response.Headers.GetValues("x-request-id").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStreamIsRelayedWithTheUsageTheGatewayAskedForStrippedAgain()
    {
        await using var test = await TestGateway.StartAsync();
        var body = TestGateway.ChatBody("fast", extra: ",\"stream\":true" + Unknowns);

        using var response = await test.PostChatAsync(body);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var exchange = test.Sim.Recent("sim-cheap")[^1];
        var sent = Encoding.UTF8.GetString(exchange.RequestBody);
        Assert.Equal(body.Replace("\"fast\"", "\"sim-cheap\"", StringComparison.Ordinal)[..^1] + ",\"stream_options\":{\"include_usage\":true}}", sent);
        // What the client would have received had it called the upstream without include_usage:
        var upstreamEvents = Encoding.UTF8.GetString(exchange.ResponseBody).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(upstreamEvents, e => e.Contains("\"choices\":[]", StringComparison.Ordinal));
        var expected = string.Concat(upstreamEvents
            .Where(e => !e.Contains("\"choices\":[]", StringComparison.Ordinal))
            .Select(e => e.Replace(",\"usage\":null", "", StringComparison.Ordinal)
                .Replace("\"model\":\"sim-cheap\"", "\"model\":\"sim/cheap\"", StringComparison.Ordinal) + "\n\n"));
        Assert.Equal(expected, text);
        Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AProviderThatOptsOutOfStreamUsageGetsTheStreamRequestUnchanged()
    {
        await using var test = await TestGateway.StartAsync(api => TestGateway.Config(api, providerExtra: ", \"streamUsage\": false"));
        var body = TestGateway.ChatBody("fast", extra: ",\"stream\":true");

        using var response = await test.PostChatAsync(body);
        var text = await response.Content.ReadAsStringAsync();

        var exchange = test.Sim.Recent("sim-cheap")[^1];
        Assert.Equal(body.Replace("\"fast\"", "\"sim-cheap\"", StringComparison.Ordinal), Encoding.UTF8.GetString(exchange.RequestBody));
        Assert.Equal(Encoding.UTF8.GetString(exchange.ResponseBody).Replace("\"model\":\"sim-cheap\"", "\"model\":\"sim/cheap\"", StringComparison.Ordinal), text);
        Assert.DoesNotContain("edgerouter_tokens_total{model=\"sim/cheap\"", await test.Client.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStreamThatAskedForUsageKeepsTheUsageChunk()
    {
        await using var test = await TestGateway.StartAsync();
        var body = TestGateway.ChatBody("fast", extra: ",\"stream\":true,\"stream_options\":{\"include_usage\":true}");

        using var response = await test.PostChatAsync(body);
        var text = await response.Content.ReadAsStringAsync();

        var exchange = test.Sim.Recent("sim-cheap")[^1];
        Assert.Equal(body.Replace("\"fast\"", "\"sim-cheap\"", StringComparison.Ordinal), Encoding.UTF8.GetString(exchange.RequestBody));
        Assert.Equal(Encoding.UTF8.GetString(exchange.ResponseBody).Replace("\"model\":\"sim-cheap\"", "\"model\":\"sim/cheap\"", StringComparison.Ordinal), text);
        var usage = Sse.Payloads(text).Select(p => p == "[DONE]" ? null : JsonDocument.Parse(p))
            .Single(d => d is not null && d.RootElement.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object)!;
        Assert.True(usage.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32() > 0);
    }

    [Fact]
    public async Task StreamedEventsReachTheClientBeforeTheAnswerIsComplete()
    {
        await using var test = await TestGateway.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = TestGateway.Json(TestGateway.ChatBody("sim/slow", extra: ",\"stream\":true,\"max_tokens\":10")),
        };
        var started = System.Diagnostics.Stopwatch.StartNew();

        using var response = await test.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var arrivals = new List<double>();
        await foreach (var _ in Sse.ReadAsync(await response.Content.ReadAsStreamAsync()))
        {
            arrivals.Add(started.Elapsed.TotalMilliseconds);
        }

        // 10 tokens at 5 tokens/s take about 2 s; the first ones must arrive long before the last.
        Assert.True(arrivals.Count >= 12, $"{arrivals.Count} events");
        Assert.True(arrivals[^1] - arrivals[1] > 1200, string.Join(", ", arrivals));
    }

    [Fact]
    public async Task UsageAndCostAreCountedInMetrics()
    {
        await using var test = await TestGateway.StartAsync();
        using var first = await test.PostChatAsync(TestGateway.ChatBody("fast"));
        var completion = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("usage");
        using var second = await test.PostChatAsync(TestGateway.ChatBody("fast", extra: ",\"stream\":true"));
        await second.Content.ReadAsStringAsync();

        var metrics = await test.Client.GetStringAsync("/metrics");

        Assert.Contains("edgerouter_requests_total{route=\"fast\",model=\"sim/cheap\",status=\"200\"} 2", metrics, StringComparison.Ordinal);
        var prompt = completion.GetProperty("prompt_tokens").GetInt32() * 2;
        var output = completion.GetProperty("completion_tokens").GetInt32() * 2;
        Assert.Contains($"edgerouter_tokens_total{{model=\"sim/cheap\",kind=\"prompt\"}} {prompt}", metrics, StringComparison.Ordinal);
        Assert.Contains($"edgerouter_tokens_total{{model=\"sim/cheap\",kind=\"completion\"}} {output}", metrics, StringComparison.Ordinal);
        var cost = ((prompt * 1m) + (output * 2m)) / 1_000_000m;
        Assert.Contains($"edgerouter_cost_usd_total{{model=\"sim/cheap\"}} {(double)cost:R}", metrics, StringComparison.Ordinal);
        Assert.Contains("edgerouter_overhead_seconds_count{route=\"fast\"} 2", metrics, StringComparison.Ordinal);
        Assert.Contains("edgerouter_upstream_ttfb_seconds_count{provider=\"sim\",model=\"sim/cheap\"} 2", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EachRequestWritesOneDecisionLine()
    {
        await using var test = await TestGateway.StartAsync();
        using var response = await test.PostChatAsync(TestGateway.ChatBody("auto"));
        var id = response.Headers.GetValues("x-request-id").Single();
        var model = response.Headers.GetValues("x-edgerouter-model").Single();

        var line = Assert.Single(test.Logs.Lines, l => l.Category == "EdgeRouter.Decision").Message;

        Assert.StartsWith($"request {id} route=auto model={model} provider=sim status=200 outcome=success stream=False attempts=1", line, StringComparison.Ordinal);
        Assert.Contains("trace=\"weighted: drew " + model, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcreteAndBareModelNamesSelectImplicitRoutes()
    {
        await using var test = await TestGateway.StartAsync();

        using var concrete = await test.PostChatAsync(TestGateway.ChatBody("sim/strong"));
        using var bare = await test.PostChatAsync(TestGateway.ChatBody("cheap"));

        Assert.Equal("sim/strong", concrete.Headers.GetValues("x-edgerouter-model").Single());
        Assert.Equal("sim/cheap", bare.Headers.GetValues("x-edgerouter-model").Single());
        Assert.Equal("sim/cheap", bare.Headers.GetValues("x-edgerouter-route").Single());
    }

    [Fact]
    public async Task WeightedRoutingSplitsTrafficAcrossModels()
    {
        await using var test = await TestGateway.StartAsync();
        var models = new List<string>();

        for (var i = 0; i < 200; i++)
        {
            using var response = await test.PostChatAsync(TestGateway.ChatBody("auto", $"question {i}"));
            models.Add(response.Headers.GetValues("x-edgerouter-model").Single());
        }

        var cheapShare = models.Count(m => m == "sim/cheap") / 200.0;
        Assert.InRange(cheapShare, 0.6, 0.9);
        Assert.Contains("sim/strong", models);
    }
}
