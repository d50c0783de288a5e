using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using EdgeRouter.Hosting;
using EdgeRouter.Pipeline;
using EdgeRouter.Pipeline.Routing;
using EdgeRouter.Simulator;

namespace EdgeRouter.FunctionalTests;

/// <summary>
/// The dispatch strategies end to end: a real gateway in front of the simulator, whose scripted answers decide what
/// each model says (right, wrong, refused, invalid JSON, slow) and whose judge scores answers by whether they were
/// scripted correct. Routes list <c>["sim/cheap", "sim/strong"]</c>; without a router the choice is the cheap model.
/// </summary>
public sealed class StrategyTests
{
    private const string Question = "What is the capital of France?";

    private static Func<Uri, string> Routes(params (string Name, string Stages)[] routes) => api => TestGateway.Config(api,
        routesExtra: string.Concat(routes.Select(r => $$""", "{{r.Name}}": { "models": ["sim/cheap", "sim/strong"], "stages": [ {{r.Stages}} ] }""")));

    private static Task<TestGateway> StartAsync(params (string Name, string Stages)[] routes) => StartAsync(new TestRouterFactory(), routes);

    private static Task<TestGateway> StartAsync(TestRouterFactory router, params (string Name, string Stages)[] routes) =>
        TestGateway.StartAsync(Routes(routes), stages: [router]);

    private static JsonElement Decision(HttpResponseMessage response) =>
        JsonDocument.Parse(response.Headers.GetValues("x-edgerouter-decision").Single()).RootElement;

    private static string Header(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();

    private static string Content(string completion) =>
        JsonDocument.Parse(completion).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;

    private static List<(string Verifier, string Model, bool Pass, string Why)> Verdicts(JsonElement decision) =>
        decision.TryGetProperty("verdicts", out var verdicts)
            ? [.. verdicts.EnumerateArray().Select(v => (v.GetProperty("verifier").GetString()!, v.GetProperty("model").GetString()!,
                v.GetProperty("pass").GetBoolean(), v.GetProperty("why").GetString()!))]
            : [];

    private static List<string> Escalations(JsonElement decision) =>
        decision.TryGetProperty("escalations", out var escalations) ? [.. escalations.EnumerateArray().Select(e => e.GetString()!)] : [];

    private static decimal ExtraCost(JsonElement decision) =>
        decision.TryGetProperty("extraCostUsd", out var cost) ? cost.GetDecimal() : 0m;

    /// <summary>The prompt cost the gateway charges a call cancelled in flight (see PromptTokenEstimate), at <paramref name="inputPricePerMillion"/>.</summary>
    private static decimal PromptCost(string user, decimal inputPricePerMillion) =>
        (3 + ((Encoding.UTF8.GetByteCount(user) + 3) / 4)) * inputPricePerMillion / 1_000_000m;

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(5), "timed out waiting until " + what);
            await Task.Delay(20);
        }
    }

    private const string Refusal = """{ "kind": "refusal" }""";
    private const string Json = """{ "kind": "json" }""";
    private const string Judge = """{ "kind": "judge", "model": "sim/strong", "minScore": 7 }""";

    [Fact]
    public async Task ACascadeEscalatesFromCheapToStrongWhenTheCheapAnswerIsRefused()
    {
        await using var test = await StartAsync(("cascade", $$"""{ "kind": "cascade", "verifiers": [ {{Refusal}} ] }"""));
        test.Sim.AddScript(
            new ScriptedAnswer("capital of France") { Model = "sim-cheap", Behaviour = ScriptedBehaviour.Refuse },
            new ScriptedAnswer("capital of France") { Model = "sim-strong", Content = "Paris." });

        using var response = await test.PostChatAsync(TestGateway.ChatBody("cascade", Question));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Paris.", Content(body));
        Assert.Equal("sim/strong", JsonDocument.Parse(body).RootElement.GetProperty("model").GetString());
        Assert.Equal("sim/strong", Header(response, "x-edgerouter-model"));
        Assert.Equal("true", Header(response, "x-edgerouter-verified"));
        var decision = Decision(response);
        Assert.Equal("cascade", decision.GetProperty("strategy").GetString());
        Assert.Equal([
            ("refusal", "sim/cheap", false, "refusal phrase 'i can't help with that'"),
            ("refusal", "sim/strong", true, "answered"),
        ], Verdicts(decision));
        Assert.Equal(["sim/cheap→sim/strong: refusal: refusal phrase 'i can't help with that'"], Escalations(decision));
        Assert.True(ExtraCost(decision) > 0m, "the refused cheap answer is extra cost");
        Assert.Equal(1, test.Sim.Stats("sim-cheap").Requests);
        Assert.Equal(1, test.Sim.Stats("sim-strong").Requests);
        Assert.Contains(test.Logs.Lines, l => l.Category == "EdgeRouter.Decision" && l.Message.Contains("cascade: sim/cheap failed refusal", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACascadeEscalatesWhenTheCheapAnswerIsNotValidJson()
    {
        await using var test = await StartAsync(("cascade", $$"""{ "kind": "cascade", "verifiers": [ {{Json}}, {{Refusal}} ] }"""));
        test.Sim.AddScript(
            new ScriptedAnswer("capital of France") { Model = "sim-cheap", Behaviour = ScriptedBehaviour.InvalidJson, Content = "Paris" },
            new ScriptedAnswer("capital of France") { Model = "sim-strong", Content = """{"city": "Paris"}""" });

        using var response = await test.PostChatAsync(TestGateway.ChatBody("cascade", Question, ""","response_format":{"type":"json_object"}"""));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal("""{"city": "Paris"}""", Content(body));
        var verdicts = Verdicts(Decision(response));
        Assert.Equal(("json", "sim/cheap", false), (verdicts[0].Verifier, verdicts[0].Model, verdicts[0].Pass));
        Assert.StartsWith("invalid JSON: ", verdicts[0].Why, StringComparison.Ordinal);
        Assert.Equal([("json", "sim/strong", true, "valid JSON object"), ("refusal", "sim/strong", true, "answered")], verdicts[1..]);
    }

    [Fact]
    public async Task ACascadeEscalatesWhenTheJudgeScoresTheCheapAnswerLow()
    {
        await using var test = await StartAsync(("cascade", $$"""{ "kind": "cascade", "verifiers": [ {{Refusal}}, {{Judge}} ] }"""));
        test.Sim.AddScript(
            new ScriptedAnswer("capital of France") { Model = "sim-cheap", Content = "Lyon.", Correct = false },
            new ScriptedAnswer("capital of France") { Model = "sim-strong", Content = "Paris." });

        using var response = await test.PostChatAsync(TestGateway.ChatBody("cascade", Question));

        Assert.Equal("Paris.", Content(await response.Content.ReadAsStringAsync()));
        var decision = Decision(response);
        Assert.Equal([
            ("refusal", "sim/cheap", true, "answered"),
            ("judge", "sim/cheap", false, "judge score 2 < 7"),
            ("refusal", "sim/strong", true, "answered"),
            ("judge", "sim/strong", true, "judge score 9 >= 7"),
        ], Verdicts(decision));
        Assert.Equal(["sim/cheap→sim/strong: judge: judge score 2 < 7"], Escalations(decision));
        Assert.Equal(3, test.Sim.Stats("sim-strong").Requests); // judge, answer, judge
    }

    [Fact]
    public async Task ACascadeDoesNotEscalateWhenTheCheapAnswerPasses()
    {
        await using var test = await StartAsync(("cascade", $$"""{ "kind": "cascade", "verifiers": [ {{Refusal}}, {{Judge}} ] }"""));
        test.Sim.AddScript(new ScriptedAnswer("capital of France") { Model = "sim-cheap", Content = "Paris." });

        using var response = await test.PostChatAsync(TestGateway.ChatBody("cascade", Question));

        Assert.Equal("Paris.", Content(await response.Content.ReadAsStringAsync()));
        Assert.Equal("sim/cheap", Header(response, "x-edgerouter-model"));
        var decision = Decision(response);
        Assert.Empty(Escalations(decision));
        Assert.All(Verdicts(decision), v => Assert.True(v.Pass));
        Assert.Equal(1, test.Sim.Stats("sim-cheap").Requests);
        Assert.Equal(1, test.Sim.Stats("sim-strong").Requests); // the judge only
        Assert.True(ExtraCost(decision) > 0m, "the judge's call is extra cost");
    }

    [Fact]
    public async Task TheLastTierAnswersEvenWhenItFailsItsChecks()
    {
        await using var test = await StartAsync(("cascade", $$"""{ "kind": "cascade", "verifiers": [ {{Refusal}} ] }"""));
        test.Sim.AddScript(new ScriptedAnswer("capital of France") { Behaviour = ScriptedBehaviour.Refuse });

        using var response = await test.PostChatAsync(TestGateway.ChatBody("cascade", Question));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ScriptedAnswer.RefusalText, Content(await response.Content.ReadAsStringAsync()));
        Assert.Equal("sim/strong", Header(response, "x-edgerouter-model"));
        Assert.Equal("false", Header(response, "x-edgerouter-verified"));
        Assert.Equal([false, false], Verdicts(Decision(response)).Select(v => v.Pass));
    }

    [Fact]
    public async Task AnUpstreamFailureEscalatesWhenEscalateOnErrorIsOn()
    {
        await using var test = await StartAsync(("cascade", $$"""{ "kind": "cascade", "verifiers": [ {{Refusal}} ] }"""));
        test.Sim.AddScript(
            new ScriptedAnswer("capital of France") { Model = "sim-cheap", Behaviour = ScriptedBehaviour.Error, Status = 503 },
            new ScriptedAnswer("capital of France") { Model = "sim-strong", Content = "Paris." });

        using var response = await test.PostChatAsync(TestGateway.ChatBody("cascade", Question));

        Assert.Equal("Paris.", Content(await response.Content.ReadAsStringAsync()));
        Assert.Equal(["sim/cheap→sim/strong: upstream server_error"], Escalations(Decision(response)));
        Assert.Equal(2, test.Sim.Stats("sim-cheap").Requests); // retried once, like the relay
    }

    [Fact]
    public async Task ASpentLatencyBudgetCutsTheEscalationShortAndReturnsTheBestAnswerSoFar()
    {
        await using var test = await StartAsync(("cascade", $$"""{ "kind": "cascade", "verifiers": [ {{Refusal}} ], "latencyBudgetMs": 1500 }"""));
        test.Sim.AddScript(
            new ScriptedAnswer("capital of France") { Model = "sim-cheap", Behaviour = ScriptedBehaviour.Refuse },
            new ScriptedAnswer("capital of France") { Model = "sim-strong", Content = "Paris.", DelayMs = 10_000 });
        var clock = Stopwatch.StartNew();

        using var response = await test.PostChatAsync(TestGateway.ChatBody("cascade", Question));
        var body = await response.Content.ReadAsStringAsync();

        Assert.InRange(clock.ElapsedMilliseconds, 1450, 5000);
        Assert.Equal(ScriptedAnswer.RefusalText, Content(body));
        Assert.Equal("sim/cheap", Header(response, "x-edgerouter-model"));
        Assert.Equal("false; latency budget exhausted", Header(response, "x-edgerouter-verified"));
        var decision = Decision(response);
        Assert.Contains(Verdicts(decision), v => v.Verifier == "latency-budget" && v.Model == "sim/strong");
        Assert.Equal(PromptCost(Question, 10) + 0m, ExtraCost(decision));
        await WaitForAsync(() => test.Sim.Stats("sim-strong").Canceled == 1, "the strong call was cancelled");
    }

    [Fact]
    public async Task ARaceCancelsTheLoserAtOnceAndChargesItsCostSoFar()
    {
        await using var test = await StartAsync(("race", $$"""{ "kind": "speculative", "verifiers": [ {{Refusal}} ] }"""));
        test.Sim.AddScript(
            new ScriptedAnswer("capital of France") { Model = "sim-cheap", Content = "Paris." },
            new ScriptedAnswer("capital of France") { Model = "sim-strong", Content = "Paris, of course.", DelayMs = 10_000 });
        var clock = Stopwatch.StartNew();

        using var response = await test.PostChatAsync(TestGateway.ChatBody("race", Question));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"the race waited {clock.Elapsed} for its loser");
        Assert.Equal("Paris.", Content(body));
        Assert.Equal("sim/cheap", Header(response, "x-edgerouter-model"));
        var decision = Decision(response);
        Assert.Equal("race", decision.GetProperty("strategy").GetString());
        var lost = Assert.Single(Verdicts(decision), v => v.Verifier == "race");
        Assert.Equal(("sim/strong", false), (lost.Model, lost.Pass));
        Assert.StartsWith("lost race: cancelled after ", lost.Why, StringComparison.Ordinal);
        Assert.Equal(PromptCost(Question, 10), ExtraCost(decision));
        using var simulator = new HttpClient { BaseAddress = test.Simulator.BaseAddress };
        JsonElement strong = default;
        await WaitForAsync(() =>
        {
            strong = JsonDocument.Parse(simulator.GetStringAsync("_sim/stats").GetAwaiter().GetResult()).RootElement.GetProperty("sim-strong");
            return strong.GetProperty("canceled").GetInt32() == 1;
        }, "/_sim/stats shows the loser's request cancelled");
        Assert.Equal(0, strong.GetProperty("completed").GetInt32());
    }

    [Fact]
    public async Task WhenTheFirstRaceAnswerFailsItsChecksTheRaceWaitsForTheOther()
    {
        await using var test = await StartAsync(("race", $$"""{ "kind": "speculative", "verifiers": [ {{Refusal}} ] }"""));
        test.Sim.AddScript(
            new ScriptedAnswer("capital of France") { Model = "sim-cheap", Behaviour = ScriptedBehaviour.Refuse },
            new ScriptedAnswer("capital of France") { Model = "sim-strong", Content = "Paris.", DelayMs = 300 });

        using var response = await test.PostChatAsync(TestGateway.ChatBody("race", Question));

        Assert.Equal("Paris.", Content(await response.Content.ReadAsStringAsync()));
        Assert.Equal("sim/strong", Header(response, "x-edgerouter-model"));
        Assert.Equal("true", Header(response, "x-edgerouter-verified"));
        var decision = Decision(response);
        Assert.DoesNotContain(Verdicts(decision), v => v.Verifier == "race");
        Assert.True(ExtraCost(decision) > 0m, "the refused cheap answer is extra cost");
        Assert.Equal(0, test.Sim.Stats("sim-strong").Canceled);
    }

    [Fact]
    public async Task WhenBothRaceAnswersFailTheStrongerAnswers()
    {
        await using var test = await StartAsync(("race", $$"""{ "kind": "speculative", "verifiers": [ {{Refusal}} ] }"""));
        test.Sim.AddScript(
            new ScriptedAnswer("capital of France") { Model = "sim-cheap", Behaviour = ScriptedBehaviour.Empty },
            new ScriptedAnswer("capital of France") { Model = "sim-strong", Behaviour = ScriptedBehaviour.Truncate, Content = "Paris is the capital" });

        using var response = await test.PostChatAsync(TestGateway.ChatBody("race", Question));

        Assert.Equal("Paris is", Content(await response.Content.ReadAsStringAsync()));
        Assert.Equal("sim/strong", Header(response, "x-edgerouter-model"));
        Assert.Equal("false", Header(response, "x-edgerouter-verified"));
    }

    [Fact]
    public async Task AdaptiveModeSendsOneStreamedCallOutsideTheBandAndRacesInsideIt()
    {
        await using var test = await StartAsync(
            ("sure", """{ "kind": "test-router", "p": [0.9, 0.1] }, { "kind": "speculative", "mode": "adaptive", "band": [0, 0.3] }"""),
            ("unsure", """{ "kind": "test-router", "p": [0.55, 0.45] }, { "kind": "speculative", "mode": "adaptive", "band": [0, 0.3] }"""));

        using (var single = await test.PostChatAsync(TestGateway.ChatBody("sure", Question, ",\"stream\":true")))
        {
            var text = await single.Content.ReadAsStringAsync();
            Assert.Equal("sim/cheap", Header(single, "x-edgerouter-model"));
            Assert.Equal("single", Decision(single).GetProperty("strategy").GetString());
            Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);
            Assert.Equal(1, test.Sim.Stats("sim-cheap").StreamRequests); // relayed live: the upstream streamed
            Assert.Equal(0, test.Sim.Stats("sim-strong").Requests);
        }

        using (var raced = await test.PostChatAsync(TestGateway.ChatBody("unsure", Question)))
        {
            await raced.Content.ReadAsStringAsync();
            var decision = Decision(raced);
            Assert.Equal("race", decision.GetProperty("strategy").GetString());
            // Both contestants were dispatched and the one that did not answer lost (the cheap one usually answers
            // first, but on a loaded machine the strong one can); a loser may be aborted before the simulator counts it.
            var winner = Header(raced, "x-edgerouter-model");
            var loser = winner == "sim/cheap" ? "sim/strong" : "sim/cheap";
            Assert.Contains(winner, new[] { "sim/cheap", "sim/strong" });
            Assert.Contains(decision.GetProperty("verdicts").EnumerateArray(), v =>
                v.GetProperty("verifier").GetString() == "race" && v.GetProperty("model").GetString() == loser);
        }
    }

    [Fact]
    public async Task StreamingClientsGetAWellFormedSseAnswerFromACascade()
    {
        await using var test = await StartAsync(("cascade", $$"""{ "kind": "cascade", "verifiers": [ {{Refusal}} ] }"""));
        test.Sim.AddScript(
            new ScriptedAnswer("capital of France") { Model = "sim-cheap", Behaviour = ScriptedBehaviour.Refuse },
            new ScriptedAnswer("capital of France") { Model = "sim-strong", Content = "The capital of France is Paris." });

        using var response = await test.PostChatAsync(TestGateway.ChatBody("cascade", Question,
            ",\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("sim/strong", Header(response, "x-edgerouter-model"));
        Assert.NotEmpty(Escalations(Decision(response)));
        Assert.Equal("The capital of France is Paris.", Sse.Text(text));
        var payloads = Sse.Payloads(text);
        Assert.Equal("[DONE]", payloads[^1]);
        var usage = JsonDocument.Parse(payloads[^2]).RootElement;
        Assert.Equal(0, usage.GetProperty("choices").GetArrayLength());
        Assert.True(usage.GetProperty("usage").GetProperty("completion_tokens").GetInt32() > 0);
        Assert.All(payloads[..^1], p => Assert.Equal("sim/strong", JsonDocument.Parse(p).RootElement.GetProperty("model").GetString()));
        Assert.Equal(0, test.Sim.Stats("sim-strong").StreamRequests); // verified answers are fetched whole
    }

    [Fact]
    public async Task StreamingClientsGetKeepAliveCommentsWhileARaceIsVerifiedThenTheAnswer()
    {
        await using var test = await StartAsync(("race", $$"""{ "kind": "speculative", "verifiers": [ {{Refusal}} ], "streamKeepAliveMs": 100 }"""));
        test.Sim.AddScript(
            new ScriptedAnswer("capital of France") { Model = "sim-cheap", Content = "Paris.", DelayMs = 450 },
            new ScriptedAnswer("capital of France") { Model = "sim-strong", Content = "Paris!", DelayMs = 10_000 });

        using var response = await test.PostChatAsync(TestGateway.ChatBody("race", Question, ",\"stream\":true"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith(": edgerouter verifying\n\n: edgerouter verifying\n\n", text, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("x-edgerouter-model"), "headers went out before the answer was known");
        Assert.Equal("Paris.", Sse.Text(text));
        Assert.Contains("\n: x-edgerouter-model: sim/cheap\n", text, StringComparison.Ordinal);
        Assert.Contains("\n: x-edgerouter-verified: true\n", text, StringComparison.Ordinal);
        var decisionLine = text.Split('\n').Single(l => l.StartsWith(": x-edgerouter-decision: ", StringComparison.Ordinal));
        var decision = JsonDocument.Parse(decisionLine[": x-edgerouter-decision: ".Length..]).RootElement;
        Assert.Contains(Verdicts(decision), v => v.Verifier == "race" && v.Model == "sim/strong");
        Assert.EndsWith("\n\ndata: [DONE]\n\n", text, StringComparison.Ordinal);
        await WaitForAsync(() => test.Sim.Stats("sim-strong").Canceled == 1, "the loser was cancelled");
    }

    [Fact]
    public async Task AClientDisconnectCancelsEveryRacingUpstreamCall()
    {
        await using var test = await StartAsync(("race", $$"""{ "kind": "speculative", "verifiers": [ {{Refusal}} ] }"""));
        test.Sim.AddScript(new ScriptedAnswer("capital of France") { Content = "Paris.", DelayMs = 10_000 });
        using var leave = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => test.PostChatAsync(TestGateway.ChatBody("race", Question), leave.Token));

        await WaitForAsync(() => test.Sim.Stats("sim-cheap").Canceled == 1 && test.Sim.Stats("sim-strong").Canceled == 1,
            "both upstream calls were cancelled");
    }

    [Fact]
    public async Task DirectDispatchesToTheWeakestModelWithoutARouterAndToTheChoiceWithOne()
    {
        await using var test = await StartAsync(
            ("plain", """{ "kind": "direct" }"""),
            ("routed", """{ "kind": "test-router", "p": [0.2, 0.8] }, { "kind": "direct" }"""));

        using var plain = await test.PostChatAsync(TestGateway.ChatBody("plain", Question, ",\"stream\":true"));
        await plain.Content.ReadAsStringAsync();
        using var routed = await test.PostChatAsync(TestGateway.ChatBody("routed", Question));

        Assert.Equal("sim/cheap", Header(plain, "x-edgerouter-model"));
        Assert.Equal("direct", Decision(plain).GetProperty("strategy").GetString());
        Assert.Equal("sim/strong", Header(routed, "x-edgerouter-model"));
        Assert.Equal("sim/strong", Decision(routed).GetProperty("model").GetString());
    }

    [Fact]
    public async Task ACascadeStartsAtTheRoutersChoice()
    {
        await using var test = await StartAsync(("cascade", $$"""{ "kind": "test-router", "p": [0.2, 0.8] }, { "kind": "cascade", "verifiers": [ {{Refusal}} ] }"""));
        test.Sim.AddScript(new ScriptedAnswer("capital of France") { Behaviour = ScriptedBehaviour.Refuse });

        using var response = await test.PostChatAsync(TestGateway.ChatBody("cascade", Question));
        await response.Content.ReadAsStringAsync();

        Assert.Equal("sim/strong", Header(response, "x-edgerouter-model"));
        Assert.Equal(0, test.Sim.Stats("sim-cheap").Requests);
        Assert.Empty(Escalations(Decision(response)));
    }

    [Fact]
    public async Task RoutersLearnWhetherTheirChoiceWasAcceptable()
    {
        var router = new TestRouterFactory();
        await using var test = await StartAsync(router,
            ("cascade", $$"""{ "kind": "test-router", "p": [0.9, 0.1] }, { "kind": "cascade", "verifiers": [ {{Refusal}} ] }"""),
            ("race", $$"""{ "kind": "test-router", "p": [0.9, 0.1] }, { "kind": "speculative", "verifiers": [ {{Refusal}} ] }"""));
        test.Sim.AddScript(
            new ScriptedAnswer("capital of France") { Model = "sim-cheap", Behaviour = ScriptedBehaviour.Refuse },
            new ScriptedAnswer("capital of France") { Model = "sim-strong", Content = "Paris." },
            new ScriptedAnswer("capital of Italy") { Model = "sim-cheap", Content = "Rome." },
            new ScriptedAnswer("capital of Italy") { Model = "sim-strong", Content = "Rome!", DelayMs = 10_000 });

        using (var escalated = await test.PostChatAsync(TestGateway.ChatBody("cascade", Question)))
        {
            await escalated.Content.ReadAsStringAsync();
        }

        using (var won = await test.PostChatAsync(TestGateway.ChatBody("race", "What is the capital of Italy?")))
        {
            await won.Content.ReadAsStringAsync();
        }

        await WaitForAsync(() => router.Outcomes.Count == 2, "both outcomes were reported");
        var outcomes = router.Outcomes.ToArray();
        Assert.Equal(("sim/strong", false, true), (outcomes[0].Model!.Id, outcomes[0].FirstChoiceAcceptable, outcomes[0].Escalated));
        Assert.Equal(("sim/cheap", true, false), (outcomes[1].Model!.Id, outcomes[1].FirstChoiceAcceptable, outcomes[1].Escalated));
    }

    [Fact]
    public async Task ABadStrategyConfigListsEveryErrorWithItsPath()
    {
        var config = Routes(
            ("cascade", """{ "kind": "cascade", "tiers": ["sim/slow"], "verifiers": [ { "kind": "judge", "minScore": 0 } ], "latencyBudgetMs": -5 }"""),
            ("race", """{ "kind": "speculative", "mode": "adaptive", "verifiers": [ { "kind": "oracle" } ] }"""))(new Uri("http://127.0.0.1:1/v1"));

        var error = await Assert.ThrowsAsync<ConfigurationException>(() => GatewayApp.StartAsync(new GatewayOptions
        {
            ConfigJson = Encoding.UTF8.GetBytes(config),
            HandleSignals = false,
        }));

        Assert.Equal([
            "routes.cascade.stages[0].verifiers[0].model must name the judge model (provider/model)",
            "routes.cascade.stages[0].verifiers[0].minScore must be in [1, 10], got 0",
            "routes.cascade.stages[0].tiers[0] 'sim/slow' is not one of the route's models (routes.cascade.models)",
            "routes.cascade.stages[0].latencyBudgetMs must be > 0, got -5",
            "routes.race.stages[0].band is required in adaptive mode: [lo, hi] on the routers' confidence, e.g. [0, 0.3]",
            "routes.race.stages[0].verifiers[0].kind 'oracle' is not a verifier; known verifiers: consistency, json, judge, refusal",
        ], error.Errors.Select(e => e.ToString()));
    }

    /// <summary>A router for tests: records a fixed distribution over the route's models (<c>"p": [..]</c>) and keeps the outcomes it is told.</summary>
    private sealed class TestRouterFactory : IStageFactory
    {
        public System.Collections.Concurrent.ConcurrentQueue<RoutingOutcome> Outcomes { get; } = new();

        public string Kind => "test-router";

        public StageTermination Termination => StageTermination.Never;

        public StageRole Role => StageRole.Router;

        public object? Bind(StageBindingContext context) =>
            context.Settings["p"].EnumerateArray().Select(e => e.GetSingle()).ToArray();

        public IRouteStage Create(object settings, StageServices services) => new TestRouter((float[])settings, Outcomes);
    }

    private sealed class TestRouter(float[] distribution, System.Collections.Concurrent.ConcurrentQueue<RoutingOutcome> outcomes) : IRouteStage
    {
        public string Kind => "test-router";

        public ValueTask<StageOutcome> InvokeAsync(RequestContext context, CancellationToken cancellationToken)
        {
            var choice = Array.IndexOf(distribution, distribution.Max());
            context.Routing.Record(new RouterVote("test-router", distribution, choice, "fixed"));
            context.Routing.OnAnswered(outcomes.Enqueue);
            return new(StageOutcome.Continue);
        }
    }
}
