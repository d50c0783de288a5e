using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace EdgeRouter.FunctionalTests;

/// <summary>
/// The semantic cache end to end: a real gateway with the tiny test encoder, the <c>cache</c> stage on route
/// "cached" in front of the simulator, and a FASTER store in a temp folder. The encoder is a bag of words (see
/// TestData/models/make_test_models.py): the same words in any order embed identically, different words far apart.
/// </summary>
public sealed class CacheTests : IDisposable
{
    private const string AdminToken = "test-admin-token";

    // Reordered words: the exact hash differs, the embedding does not. Only words of the encoder's 64-word vocabulary.
    private const string Question = "how are you in the park";
    private const string Reworded = "in the park how are you";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"edgerouter-cache-test-{Guid.NewGuid():N}");

    private static string TinyEncoder => Path.Combine(AppContext.BaseDirectory, "TestData", "models", "tiny-words");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private const string Stage = """{ "kind": "cache" }""";

    private Func<Uri, string> CachedConfig(string stage = Stage, string cacheExtra = "") => api =>
        TestGateway.Config(api, routesExtra: $$"""
            , "cached": { "stages": [ {{stage}}, { "kind": "static", "target": "sim/cheap" } ] },
              "ghostly": { "stages": [ {{Stage}}, { "kind": "static", "target": "sim/ghost" } ] }
            """).TrimEnd()[..^1] + $$"""
            , "inference": { "encoders": { "tiny": { "path": "{{TinyEncoder.Replace("\\", "\\\\", StringComparison.Ordinal)}}" } } },
              "cache": { "directory": "{{_directory.Replace("\\", "\\\\", StringComparison.Ordinal)}}", "encoder": "tiny",
                         "commitIntervalMs": 50, "adminTokenEnv": "ER_TEST_CACHE_ADMIN" {{cacheExtra}} }
            }
            """;

    private static Task<TestGateway> StartAsync(Func<Uri, string> config) =>
        TestGateway.StartAsync(config, environment: name => name == "ER_TEST_CACHE_ADMIN" ? AdminToken : null);

    private static async Task<(HttpResponseMessage Response, string Body)> AskAsync(
        TestGateway test, string question, string? tenant = null, string extra = "", string? cacheHeader = null, string route = "cached")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = TestGateway.Json(TestGateway.ChatBody(route, question, extra)),
        };
        if (tenant is not null)
        {
            request.Headers.Add("x-edgerouter-tenant", tenant);
        }

        if (cacheHeader is not null)
        {
            request.Headers.Add("x-edgerouter-cache", cacheHeader);
        }

        var response = await test.Client.SendAsync(request);
        return (response, await response.Content.ReadAsStringAsync());
    }

    private static string Verdict(HttpResponseMessage response) => response.Headers.GetValues("x-edgerouter-cache").Single();

    private static string Content(string completionJson) =>
        JsonDocument.Parse(completionJson).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;

    /// <summary>The entry is written after the answer has been sent, so wait for it before asking again.</summary>
    private static async Task WaitForEntriesAsync(TestGateway test, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (test.Gateway.Cache!.Stats.Entries < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the cache never reached {count} entries; warnings: "
                + string.Join(" | ", test.Logs.Lines.Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).Select(l => l.Message)));
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task ARepeatedQuestionIsAnsweredFromTheCacheWithTheHitHeader()
    {
        await using var test = await StartAsync(CachedConfig());

        var (first, firstBody) = await AskAsync(test, Question);
        await WaitForEntriesAsync(test, 1);
        var (second, secondBody) = await AskAsync(test, Question);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("miss", Verdict(first));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Matches(@"^hit; similarity=1\.000; id=[0-9a-f]{32}$", Verdict(second));
        Assert.Equal(Content(firstBody), Content(secondBody));
        Assert.Equal(1, test.Sim.Stats("sim-cheap").Requests);
    }

    [Fact]
    public async Task ARewordedQuestionIsASemanticHit()
    {
        await using var test = await StartAsync(CachedConfig());

        var (_, firstBody) = await AskAsync(test, Question);
        await WaitForEntriesAsync(test, 1);
        var (second, secondBody) = await AskAsync(test, Reworded);

        Assert.StartsWith("hit; similarity=", Verdict(second), StringComparison.Ordinal);
        Assert.Equal(Content(firstBody), Content(secondBody));
        Assert.Equal(1, test.Gateway.Cache!.Stats.SemanticHits);
        Assert.Equal(1, test.Sim.Stats("sim-cheap").Requests);
    }

    [Fact]
    public async Task NoEntryIsEverVisibleToAnotherTenant()
    {
        await using var test = await StartAsync(CachedConfig());

        await AskAsync(test, Question, tenant: "acme");
        await WaitForEntriesAsync(test, 1);
        var (exact, _) = await AskAsync(test, Question, tenant: "globex");
        var (reworded, _) = await AskAsync(test, Reworded, tenant: "initech");
        var (defaultTenant, _) = await AskAsync(test, Question);
        var (own, _) = await AskAsync(test, Reworded, tenant: "acme");

        Assert.Equal("miss", Verdict(exact));
        Assert.Equal("miss", Verdict(reworded));
        Assert.Equal("miss", Verdict(defaultTenant));
        Assert.StartsWith("hit;", Verdict(own), StringComparison.Ordinal);
        Assert.Equal(4, test.Sim.Stats("sim-cheap").Requests);
    }

    [Fact]
    public async Task TheMeaningGuardRejectsAnOppositeQuestionEvenAboveTheThreshold()
    {
        // A permissive threshold, so only the guard stands between the two questions.
        await using var test = await StartAsync(CachedConfig("""{ "kind": "cache", "threshold": 0.05 }"""));

        await AskAsync(test, "is it good to run in the park");
        await WaitForEntriesAsync(test, 1);
        var (opposite, _) = await AskAsync(test, "is it not good to run in the park");
        var rejections = test.Gateway.Cache!.Stats.GuardRejections;
        await WaitForEntriesAsync(test, 2);
        var (paraphrase, _) = await AskAsync(test, "to run in the park is it good");

        Assert.Equal("miss", Verdict(opposite));
        Assert.Equal(1, rejections);
        Assert.StartsWith("hit; similarity=1.000", Verdict(paraphrase), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheHeaderOrMetadataBypassesTheCacheAndWritesNothing()
    {
        await using var test = await StartAsync(CachedConfig());

        var (header, _) = await AskAsync(test, Question, cacheHeader: "off");
        var (metadata, _) = await AskAsync(test, Question, extra: ""","metadata":{"cache":"false"}""");
        await Task.Delay(200); // a write, had there been one, would have landed by now
        var (after, _) = await AskAsync(test, Question);

        Assert.Equal("bypass; reason=header", Verdict(header));
        Assert.Equal("bypass; reason=metadata", Verdict(metadata));
        Assert.Equal("miss", Verdict(after));
        Assert.Equal(3, test.Sim.Stats("sim-cheap").Requests);
    }

    [Theory]
    [InlineData(""","tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]""", "skip; reason=tools")]
    [InlineData(""","n":2""", "skip; reason=n")]
    [InlineData(""","temperature":1.5""", "skip; reason=temperature")]
    public async Task RequestsThatShouldNotBeCachedAreSkipped(string extra, string verdict)
    {
        await using var test = await StartAsync(CachedConfig());

        var (first, _) = await AskAsync(test, Question, extra: extra);
        await Task.Delay(200);

        Assert.Equal(verdict, Verdict(first));
        Assert.Equal(0, test.Gateway.Cache!.Stats.Entries);
    }

    [Fact]
    public async Task ARouteCanAllowToolRequests()
    {
        await using var test = await StartAsync(CachedConfig("""{ "kind": "cache", "cacheTools": true }"""));
        const string Tools = ""","tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]""";

        await AskAsync(test, Question, extra: Tools);
        await WaitForEntriesAsync(test, 1);
        var (second, _) = await AskAsync(test, Question, extra: Tools);
        var (withoutTools, _) = await AskAsync(test, Question);

        Assert.StartsWith("hit;", Verdict(second), StringComparison.Ordinal);
        Assert.Equal("miss", Verdict(withoutTools)); // the tools are part of the key
    }

    [Fact]
    public async Task AJsonEntryIsReplayedAsAStreamAndAStreamedEntryAsJson()
    {
        await using var test = await StartAsync(CachedConfig());

        var (_, jsonBody) = await AskAsync(test, Question);
        await WaitForEntriesAsync(test, 1);
        var (streamed, streamBody) = await AskAsync(test, Question, extra: ""","stream":true""");

        var (story, _) = await AskAsync(test, "the cat sat on the mat", extra: ""","stream":true""");
        Assert.Equal("miss", Verdict(story));
        await WaitForEntriesAsync(test, 2);
        var (asJson, asJsonBody) = await AskAsync(test, "the cat sat on the mat");

        Assert.StartsWith("hit;", Verdict(streamed), StringComparison.Ordinal);
        Assert.Equal("text/event-stream", streamed.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Content(jsonBody), Sse.Text(streamBody));
        Assert.EndsWith("data: [DONE]\n\n", streamBody, StringComparison.Ordinal);
        Assert.StartsWith("hit;", Verdict(asJson), StringComparison.Ordinal);
        Assert.Equal("application/json", asJson.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrEmpty(Content(asJsonBody)));
        Assert.Equal(2, test.Sim.Stats("sim-cheap").Requests);
    }

    [Fact]
    public async Task AFailedUpstreamAnswerIsNotCached()
    {
        await using var test = await StartAsync(CachedConfig());

        var (first, _) = await AskAsync(test, Question, route: "ghostly");
        await Task.Delay(200);
        var (second, _) = await AskAsync(test, Question, route: "ghostly");

        Assert.NotEqual(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("miss", Verdict(second));
        Assert.Equal(0, test.Gateway.Cache!.Stats.Entries);
    }

    [Fact]
    public async Task EntriesSurviveARestart()
    {
        await using (var test = await StartAsync(CachedConfig()))
        {
            await AskAsync(test, Question, tenant: "acme");
            await WaitForEntriesAsync(test, 1);
        }

        await using var restarted = await StartAsync(CachedConfig());
        var (exact, _) = await AskAsync(restarted, Question, tenant: "acme");
        var (reworded, _) = await AskAsync(restarted, Reworded, tenant: "acme");
        var (otherTenant, _) = await AskAsync(restarted, Question, tenant: "globex");

        Assert.StartsWith("hit;", Verdict(exact), StringComparison.Ordinal);
        Assert.StartsWith("hit;", Verdict(reworded), StringComparison.Ordinal);
        Assert.Equal("miss", Verdict(otherTenant));
        Assert.Equal(1, restarted.Sim.Stats("sim-cheap").Requests);
    }

    [Theory]
    [InlineData("""{"tenant":"acme"}""", "acme", 1)]
    [InlineData("""{"tenant":"acme","route":"cached"}""", "acme", 1)]
    [InlineData("""{"route":"cached"}""", "acme", 2)]
    [InlineData("""{"tag":"faq"}""", "globex", 2)]
    [InlineData("""{"all":true}""", "globex", 2)]
    public async Task TheAdminApiInvalidates(string selector, string checkTenant, int removed)
    {
        await using var test = await StartAsync(CachedConfig("""{ "kind": "cache", "tags": ["faq"] }"""));
        await AskAsync(test, Question, tenant: "acme");
        await AskAsync(test, Question, tenant: "globex");
        await WaitForEntriesAsync(test, 2);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/cache/invalidate") { Content = TestGateway.Json(selector) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await test.Client.SendAsync(request);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var (after, _) = await AskAsync(test, Question, tenant: checkTenant);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(removed, body.GetProperty("removed").GetInt32());
        Assert.Equal("miss", Verdict(after));
    }

    [Fact]
    public async Task TheAdminApiInvalidatesOneEntryById()
    {
        await using var test = await StartAsync(CachedConfig());
        await AskAsync(test, Question);
        await WaitForEntriesAsync(test, 1);
        var (hit, _) = await AskAsync(test, Question);
        var id = Verdict(hit)[(Verdict(hit).IndexOf("id=", StringComparison.Ordinal) + 3)..];

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/cache/invalidate") { Content = TestGateway.Json($$"""{"id":"{{id}}"}""") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await test.Client.SendAsync(request);
        var (after, _) = await AskAsync(test, Question);

        Assert.Equal(1, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("removed").GetInt32());
        Assert.Equal("miss", Verdict(after));
    }

    [Theory]
    [InlineData(null, """{"all":true}""", 401, "invalid_admin_token")]
    [InlineData("wrong", """{"all":true}""", 401, "invalid_admin_token")]
    [InlineData(AdminToken, """{"tag":"a","all":true}""", 400, "invalid_selector")]
    [InlineData(AdminToken, """{"id":"not-a-guid"}""", 400, "invalid_selector")]
    [InlineData(AdminToken, "[1,2]", 400, "invalid_selector")]
    [InlineData(AdminToken, "{nope", 400, "invalid_selector")]
    public async Task BadAdminRequestsAreRejected(string? token, string body, int status, string code)
    {
        await using var test = await StartAsync(CachedConfig());

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/cache/invalidate") { Content = TestGateway.Json(body) };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await test.Client.SendAsync(request);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(code, error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task StatsCountHitsAndMisses()
    {
        await using var test = await StartAsync(CachedConfig());
        await AskAsync(test, Question);
        await WaitForEntriesAsync(test, 1);
        await AskAsync(test, Question);
        await AskAsync(test, Reworded);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/cache/stats");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await test.Client.SendAsync(request);
        var stats = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(1, stats.GetProperty("entries").GetInt32());
        Assert.Equal(2, stats.GetProperty("hits").GetInt32());
        Assert.Equal(1, stats.GetProperty("semantic_hits").GetInt32());
        Assert.Equal(1, stats.GetProperty("misses").GetInt32());
    }

    [Fact]
    public async Task WithoutAnAdminTokenTheAdminApiIsDisabled()
    {
        await using var test = await TestGateway.StartAsync(CachedConfig());

        using var response = await test.Client.GetAsync("/v1/cache/stats");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task BadCacheStageSettingsStopStartupWithEveryProblemListed()
    {
        var config = CachedConfig("""{ "kind": "cache", "threshold": 1.5, "similarity": "lexical", "ttlSeconds": 0 }""")(new Uri("http://127.0.0.1:1/v1"));

        var error = await Assert.ThrowsAsync<EdgeRouter.Hosting.ConfigurationException>(() => EdgeRouter.Hosting.GatewayApp.StartAsync(
            new EdgeRouter.Hosting.GatewayOptions { ConfigJson = System.Text.Encoding.UTF8.GetBytes(config), HandleSignals = false }));
        var messages = error.Errors.Select(e => e.ToString()).ToList();

        Assert.Contains(messages, m => m.StartsWith("routes.cached.stages[0].threshold", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("routes.cached.stages[0].similarity must be 'embedding' or 'calibrated'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("routes.cached.stages[0].ttlSeconds", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    public async Task AnInvalidTenantHeaderIsRejected(string tenant)
    {
        await using var test = await StartAsync(CachedConfig());

        var (response, body) = await AskAsync(test, Question, tenant: tenant);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_tenant", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(0, test.Sim.Stats("sim-cheap").Requests);
    }
}
