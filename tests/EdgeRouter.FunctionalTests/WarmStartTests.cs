using System.Net;
using System.Text.Json;

namespace EdgeRouter.FunctionalTests;

/// <summary>
/// Serving before the in-process models are loaded (<c>LoadModelsInBackground</c>, as <c>edgerouter run</c> does): the
/// routes answer with the stages that need a model standing aside, then run them all once the models are in.
/// </summary>
public sealed class WarmStartTests : IDisposable
{
    private static readonly string ModelsDirectory = Path.Combine(AppContext.BaseDirectory, "models");

    private readonly string _cacheDirectory = Path.Combine(Path.GetTempPath(), $"edgerouter-warm-test-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_cacheDirectory))
        {
            Directory.Delete(_cacheDirectory, recursive: true);
        }
    }

    private Func<Uri, string> Config(string encoderPath) => api => TestGateway.Config(api, routesExtra: """
        , "smart": { "models": ["sim/cheap", "sim/strong"], "stages": [
            { "kind": "cache" }, { "kind": "learned", "threshold": 0 }, { "kind": "direct" } ] }
        """).TrimEnd()[..^1] + $$"""
        , "cache": { "directory": "{{_cacheDirectory}}", "encoder": "default", "adminTokenEnv": "CACHE_ADMIN" },
          "inference": {
            "encoders": { "default": { "path": "{{encoderPath}}" } },
            "classifiers": { "router": { "path": "{{Path.Combine(ModelsDirectory, "router-head")}}", "encoder": "default" } } }
        }
        """;

    private static async Task<(HttpResponseMessage Response, JsonElement Decision)> AskAsync(TestGateway test, string prompt)
    {
        var response = await test.PostChatAsync(TestGateway.ChatBody("smart", prompt));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (response, JsonDocument.Parse(response.Headers.GetValues("x-edgerouter-decision").Single()).RootElement);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(TestGateway test, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "secret");
        var response = await test.Client.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
    }

    [Fact]
    public async Task WhileTheModelsLoadRoutesAnswerWithoutThemAndThenRunEveryStage()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var test = await TestGateway.StartAsync(Config(Path.Combine(ModelsDirectory, "edgerouter-encoder")),
            environment: name => name == "CACHE_ADMIN" ? "secret" : null,
            options: o => o with { LoadModelsInBackground = true, BeforeBackgroundLoad = () => gate.Task });

        // Warming: serving, the router and the cache stand aside, the strategy takes the weakest model.
        var (ready, readyBody) = await GetAsync(test, "/readyz");
        var (full, _) = await GetAsync(test, "/readyz?full");
        var (warm, warmDecision) = await AskAsync(test, "Prove that the square root of two is irrational");
        var embeddings = await test.Client.PostAsync("/v1/embeddings", TestGateway.Json("""{"model":"local/default","input":"hi"}"""));
        var (stats, statsBody) = await GetAsync(test, "/v1/cache/stats");
        var (_, listed) = await GetAsync(test, "/v1/models/local/default");

        Assert.Equal(HttpStatusCode.OK, ready);
        Assert.Equal("loading", readyBody.GetProperty("models").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, full);
        Assert.Equal("sim/cheap", warm.Headers.GetValues("x-edgerouter-model").Single());
        Assert.Equal(0, warmDecision.TryGetProperty("routers", out var none) ? none.GetArrayLength() : 0);
        Assert.False(warm.Headers.Contains("x-edgerouter-cache"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, embeddings.StatusCode);
        Assert.Contains("model_loading", await embeddings.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("1", embeddings.Headers.RetryAfter!.ToString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stats);
        Assert.Equal("cache_starting", statsBody.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("loading", listed.GetProperty("edgerouter").GetProperty("status").GetString());
        Assert.False(test.Gateway.ModelsReady.IsCompleted);
        Assert.Contains(test.Logs.Lines, l => l.Message.Contains("learned: skipped; reason=warming (router loading)", StringComparison.Ordinal));

        gate.SetResult();
        await test.Gateway.ModelsReady.WaitAsync(TimeSpan.FromSeconds(30));

        // Warm: every stage runs.
        var (readyNow, readyNowBody) = await GetAsync(test, "/readyz?full");
        var (answer, decision) = await AskAsync(test, "Prove that the square root of two is irrational");
        var (statsNow, _) = await GetAsync(test, "/v1/cache/stats");

        Assert.Equal(HttpStatusCode.OK, readyNow);
        Assert.Equal("loaded", readyNowBody.GetProperty("models").GetString());
        Assert.Equal("sim/strong", answer.Headers.GetValues("x-edgerouter-model").Single());
        Assert.Equal("learned", decision.GetProperty("routers")[0].GetProperty("name").GetString());
        Assert.Equal("miss", answer.Headers.GetValues("x-edgerouter-cache").Single());
        Assert.Equal(HttpStatusCode.OK, statsNow);
        Assert.NotNull(test.Gateway.Cache);
    }

    [Fact]
    public async Task AGatewayDisposedWhileItsModelsWaitToLoadStopsWithoutLoadingThem()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var test = await TestGateway.StartAsync(Config(Path.Combine(ModelsDirectory, "edgerouter-encoder")),
            options: o => o with { LoadModelsInBackground = true, BeforeBackgroundLoad = () => gate.Task });

        await test.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(test.Gateway.ModelsReady.IsCompletedSuccessfully);
        Assert.Null(test.Gateway.Cache);
        Assert.DoesNotContain(test.Logs.Lines, l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task AModelThatCannotBeLoadedInTheBackgroundStopsTheGateway()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_cacheDirectory + "-models", "edgerouter-encoder")).FullName;
        try
        {
            await using var test = await TestGateway.StartAsync(Config(empty), options: o => o with { LoadModelsInBackground = true });

            await Assert.ThrowsAnyAsync<Exception>(() => test.Gateway.ModelsReady.WaitAsync(TimeSpan.FromSeconds(30)));
            await test.Gateway.WaitForShutdownAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains(test.Logs.Lines, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Critical
                && l.Message.Contains("inference.encoders.default", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(_cacheDirectory + "-models", recursive: true);
        }
    }

    [Fact]
    public async Task AMissingModelFolderStillStopsStartupBeforeServing()
    {
        var error = await Assert.ThrowsAsync<EdgeRouter.Hosting.ConfigurationException>(() =>
            TestGateway.StartAsync(Config("/nonexistent/edgerouter-encoder"), options: o => o with { LoadModelsInBackground = true }));

        Assert.Contains("inference.encoders.default", error.Message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/edgerouter-encoder", error.Message, StringComparison.Ordinal);
    }
}
