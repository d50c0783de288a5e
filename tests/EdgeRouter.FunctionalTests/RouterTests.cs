using System.Net;
using System.Text.Json;
using EdgeRouter.Routing.Learned;

namespace EdgeRouter.FunctionalTests;

/// <summary>Router stages in the running gateway with the shipped encoder and router head, against the simulator.</summary>
public class RouterTests
{
    private static string ModelsDirectory => Path.Combine(AppContext.BaseDirectory, "models");

    private static Func<Uri, string> WithRoutes(string routes) => api => TestGateway.Config(api, routesExtra: routes).TrimEnd()[..^1] + $$"""
        , "inference": {
            "encoders": { "default": { "path": "{{Path.Combine(ModelsDirectory, "edgerouter-encoder")}}" } },
            "classifiers": { "router": { "path": "{{Path.Combine(ModelsDirectory, "router-head")}}", "encoder": "default" } } }
        }
        """;

    private static async Task<(HttpResponseMessage Response, JsonElement Decision)> AskAsync(TestGateway test, string route, string prompt,
        string extra = "", IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = TestGateway.Json(TestGateway.ChatBody(route, prompt, extra)),
        };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(name, value);
        }

        var response = await test.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var decision = JsonDocument.Parse(response.Headers.GetValues("x-edgerouter-decision").Single()).RootElement;
        return (response, decision);
    }

    private static string Model(HttpResponseMessage response) => response.Headers.GetValues("x-edgerouter-model").Single();

    [Theory]
    [InlineData(0.0, "sim/strong")]
    [InlineData(1.0, "sim/cheap")]
    public async Task TheLearnedRouterSendsTheRequestWhereTheHeadAndThresholdSay(double threshold, string expected)
    {
        await using var test = await TestGateway.StartAsync(WithRoutes($$"""
            , "smart": { "models": ["sim/cheap", "sim/strong"], "stages": [ { "kind": "learned", "threshold": {{threshold}} }, { "kind": "direct" } ] }
            """));
        const string Prompt = "Prove that the square root of two is irrational";

        var (response, decision) = await AskAsync(test, "smart", Prompt);

        Assert.Equal(expected, Model(response));
        var vote = decision.GetProperty("routers")[0];
        Assert.Equal("learned", vote.GetProperty("name").GetString());
        Assert.Equal(expected, decision.GetProperty("model").GetString());
        // The header carries the head's own probability for this prompt.
        Assert.True(test.Gateway.Models.TryGetClassifier("router", out var head));
        test.Gateway.Models.TryGetEncoder("default", out var encoder);
        var router = new LearnedRouter("check", head, encoder!, 1, threshold, 0, 1);
        var p = router.Score(Routing.Routers.PromptFeatures.OfText(Prompt));
        Assert.Contains($"p(strong)={Routing.Routers.Distribution.F(p)}", vote.GetProperty("why").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARuleOnTheResponseFormatPinsTheStrongModelAndTheRouterAfterItIsSkipped()
    {
        await using var test = await TestGateway.StartAsync(WithRoutes("""
            , "smart": { "models": ["sim/cheap", "sim/strong"], "stages": [
                { "kind": "rules", "rules": [ { "name": "structured", "when": { "responseFormat": "json" }, "model": "sim/strong" } ] },
                { "kind": "learned", "threshold": 1 }, { "kind": "direct" } ] }
            """));

        var (json, decision) = await AskAsync(test, "smart", "list three colours", ""","response_format":{"type":"json_object"}""");
        var (plain, _) = await AskAsync(test, "smart", "list three colours");

        Assert.Equal("sim/strong", Model(json));
        Assert.True(decision.GetProperty("pinned").GetBoolean());
        Assert.Equal("rules", decision.GetProperty("by").GetString());
        Assert.Equal("sim/cheap", Model(plain));
    }

    [Fact]
    public async Task TheMixtureWeighsByThePriorityHeaderAndExplainsItsWeights()
    {
        await using var test = await TestGateway.StartAsync(WithRoutes("""
            , "mor": { "models": ["sim/cheap", "sim/strong"], "stages": [
                { "kind": "mor",
                  "routers": [
                    { "name": "accuracy", "kind": "learned", "threshold": 0 },
                    { "name": "latency", "kind": "latency", "priorMs": { "sim/cheap": 50, "sim/strong": 500 } } ],
                  "weights": { "default": { "accuracy": 0.5, "latency": 0.5 }, "latency": { "latency": 1 }, "quality": { "accuracy": 1 } } },
                { "kind": "direct" } ] }
            """));

        var (fast, fastDecision) = await AskAsync(test, "mor", "hello", headers: new Dictionary<string, string> { ["x-edgerouter-priority"] = "latency" });
        var (best, bestDecision) = await AskAsync(test, "mor", "hello", headers: new Dictionary<string, string> { ["x-edgerouter-priority"] = "quality" });

        Assert.Equal("sim/cheap", Model(fast));
        Assert.Equal("sim/strong", Model(best));
        var mixture = bestDecision.GetProperty("routers").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "mor");
        Assert.Equal(1.0, mixture.GetProperty("weights").GetProperty("accuracy").GetDouble());
        Assert.Equal(0.0, mixture.GetProperty("weights").GetProperty("latency").GetDouble());
        Assert.StartsWith("class latency", fastDecision.GetProperty("routers").EnumerateArray().Last().GetProperty("why").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStickyConversationKeepsItsModelAcrossTurns()
    {
        await using var test = await TestGateway.StartAsync(WithRoutes("""
            , "chat": { "models": ["sim/cheap", "sim/strong"], "stages": [
                { "kind": "sticky" },
                { "kind": "rules", "rules": [ { "when": { "keywords": ["urgent"] }, "model": "sim/strong" } ] },
                { "kind": "learned", "threshold": 1 }, { "kind": "direct" } ] }
            """));
        var conversation = new Dictionary<string, string> { ["x-edgerouter-conversation"] = "c-1" };

        var (first, _) = await AskAsync(test, "chat", "urgent: the server is down", headers: conversation);
        var (second, decision) = await AskAsync(test, "chat", "thanks, and now?", headers: conversation);
        var (other, _) = await AskAsync(test, "chat", "thanks, and now?", headers: new Dictionary<string, string> { ["x-edgerouter-conversation"] = "c-2" });

        Assert.Equal("sim/strong", Model(first));
        Assert.Equal("sim/strong", Model(second));
        Assert.Equal("sticky", decision.GetProperty("by").GetString());
        Assert.Equal("sim/cheap", Model(other));
    }

    [Fact]
    public async Task TheDecisionLogLineCarriesTheRoutersCostAndLatency()
    {
        await using var test = await TestGateway.StartAsync(WithRoutes("""
            , "smart": { "models": ["sim/cheap", "sim/strong"], "stages": [ { "kind": "learned", "threshold": 0.5 }, { "kind": "direct" } ] }
            """));

        await AskAsync(test, "smart", "What is two plus two?");

        string? line = null;
        for (var i = 0; i < 100 && line is null; i++)
        {
            line = test.Logs.Lines.Select(l => l.Message).FirstOrDefault(m => m.Contains("decision: {", StringComparison.Ordinal));
            await Task.Delay(50);
        }

        Assert.NotNull(line);
        Assert.Contains("\"costUsd\":", line, StringComparison.Ordinal);
        Assert.Contains("\"latencyMs\":", line, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"learned\"", line, StringComparison.Ordinal);
    }
}
