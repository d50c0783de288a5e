using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace EdgeRouter.Simulator.Tests;

public sealed class ScriptTests
{
    private const string Question = "What is the capital of France?";

    private static string JudgeBody(string model, string question, string answer) =>
        Sim.ChatBody(model, $"<question>\n{question}\n</question>\n<answer>\n{answer}\n</answer>");

    private static async Task<string> AskAsync(HttpClient client, string model, string user, string extra = "") =>
        Sim.Content(await Sim.PostJsonAsync(client, "v1/chat/completions", Sim.ChatBody(model, user, extra: extra)));

    private static async Task<string> JudgeAsync(HttpClient client, string question, string answer) =>
        Sim.Content(await Sim.PostJsonAsync(client, "v1/chat/completions", JudgeBody("sim-paced", question, answer)));

    [Fact]
    public async Task AScriptedAnswerReplacesTheGeneratedWordsForItsModelOnly()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        sim.State.AddScript(new ScriptedAnswer("capital of france") { Model = "sim-fast", Content = "Paris." });

        Assert.Equal("Paris.", await AskAsync(client, "sim-fast", Question));
        Assert.NotEqual("Paris.", await AskAsync(client, "sim-paced", Question));
        Assert.NotEqual("Paris.", await AskAsync(client, "sim-fast", "What is the capital of Spain?"));
    }

    [Fact]
    public async Task AModelSpecificEntryWinsOverAnAnyModelEntry()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        sim.State.AddScript(
            new ScriptedAnswer("capital") { Content = "Paris" },
            new ScriptedAnswer("capital") { Model = "sim-paced", Content = "Lyon", Correct = false });

        Assert.Equal("Paris", await AskAsync(client, "sim-fast", Question));
        Assert.Equal("Lyon", await AskAsync(client, "sim-paced", Question));
    }

    [Fact]
    public async Task AnExactEntryMatchesOnlyTheWholeMessage()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        sim.State.AddScript(new ScriptedAnswer("2+2") { Exact = true, Content = "4" });

        Assert.Equal("4", await AskAsync(client, "sim-fast", " 2+2 "));
        Assert.NotEqual("4", await AskAsync(client, "sim-fast", "what is 2+2"));
    }

    [Theory]
    [InlineData(ScriptedBehaviour.Refuse, ScriptedAnswer.RefusalText, "stop")]
    [InlineData(ScriptedBehaviour.Truncate, "one two", "length")]
    [InlineData(ScriptedBehaviour.Empty, "", "stop")]
    [InlineData(ScriptedBehaviour.InvalidJson, "{\"answer\": \"one two three four", "stop")]
    public async Task BehavioursShapeTheAnswer(ScriptedBehaviour behaviour, string content, string finishReason)
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        sim.State.AddScript(new ScriptedAnswer("question") { Content = "one two three four", Behaviour = behaviour });

        var completion = await Sim.PostJsonAsync(client, "v1/chat/completions", Sim.ChatBody("sim-fast", "a question"));

        Assert.Equal(content, Sim.Content(completion));
        Assert.Equal(finishReason, completion.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task TheErrorBehaviourAnswersWithItsStatus()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        sim.State.AddScript(new ScriptedAnswer("question") { Behaviour = ScriptedBehaviour.Error, Status = 503 });

        using var response = await client.PostAsync("v1/chat/completions", Sim.Json(Sim.ChatBody("sim-fast", "a question")));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("server_error", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task InconsistentAnswersDifferFromSampleToSample()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        sim.State.AddScript(new ScriptedAnswer("question") { Content = "The answer is", Behaviour = ScriptedBehaviour.Inconsistent });

        var first = await AskAsync(client, "sim-fast", "a question");
        var second = await AskAsync(client, "sim-fast", "a question");

        Assert.Equal("The answer is (sample 1)", first);
        Assert.Equal("The answer is (sample 2)", second);
    }

    [Fact]
    public async Task AScriptedAnswerIsStreamedWordByWordWithItsUsage()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        sim.State.AddScript(new ScriptedAnswer("question") { Content = "The  capital is\nParis." });

        var text = await Sim.PostTextAsync(client, "v1/chat/completions",
            Sim.ChatBody("sim-fast", "a question", stream: true, extra: ",\"stream_options\":{\"include_usage\":true}"));
        var chunks = Sim.Events(text).Where(e => e != "[DONE]").Select(e => JsonDocument.Parse(e).RootElement).ToList();
        var deltas = chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0)
            .Select(c => c.GetProperty("choices")[0].GetProperty("delta"))
            .Where(d => d.TryGetProperty("content", out _))
            .Select(d => d.GetProperty("content").GetString())
            .ToList();

        Assert.Equal(["", "The", "  capital", " is\nParis."], deltas);
        Assert.Equal(3, chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task ADelayedEntryAnswersLater()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        sim.State.AddScript(new ScriptedAnswer("question") { Content = "late", DelayMs = 300 });
        var clock = Stopwatch.StartNew();

        Assert.Equal("late", await AskAsync(client, "sim-fast", "a question"));
        Assert.InRange(clock.ElapsedMilliseconds, 290, 5000);
    }

    [Fact]
    public async Task TheJudgeScoresCorrectAnswersHighAndIncorrectOnesLow()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        sim.State.AddScript(
            new ScriptedAnswer("capital of France") { Model = "sim-fast", Content = "Lyon", Correct = false },
            new ScriptedAnswer("capital of France") { Model = "sim-paced", Content = "Paris" },
            new ScriptedAnswer("capital of France") { Model = "sim-slow", Behaviour = ScriptedBehaviour.Refuse });

        Assert.Equal("Score: 9", await JudgeAsync(client, Question, "Paris"));
        Assert.Equal("Score: 2", await JudgeAsync(client, Question, "Lyon"));
        Assert.Equal("Score: 2", await JudgeAsync(client, Question, ScriptedAnswer.RefusalText));
        Assert.Equal("Score: 2", await JudgeAsync(client, Question, "Marseille"));
        Assert.Equal("Score: 9", await JudgeAsync(client, "Name a colour.", "Blue"));
    }

    [Fact]
    public async Task AJudgeWithoutScriptsAnswersAJudgePromptWithAScore()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);

        Assert.Equal("Score: 9", await JudgeAsync(client, "Name a colour.", "Blue"));
        sim.State.ConfigureJudge(unscriptedCorrect: false);
        Assert.Equal("Score: 2", await JudgeAsync(client, "Name a colour.", "Blue"));
    }

    [Fact]
    public async Task AnInaccurateJudgeFlipsVerdictsAsOftenAsConfiguredAndReplaysWithItsSeed()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        sim.State.AddScript(new ScriptedAnswer("capital of France") { Content = "Paris" });

        async Task<List<string>> RunAsync()
        {
            sim.State.ConfigureJudge(accuracy: 0.7, seed: 11);
            var scores = new List<string>();
            for (var i = 0; i < 60; i++)
            {
                scores.Add(await JudgeAsync(client, Question, "Paris"));
            }

            return scores;
        }

        var first = await RunAsync();
        var second = await RunAsync();

        Assert.Equal(first, second);
        Assert.InRange(first.Count(s => s == "Score: 2"), 8, 30);
    }

    [Fact]
    public async Task TheScriptEndpointScriptsAnswersAndTheJudge()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);

        var result = await Sim.PostJsonAsync(client, "_sim/script", """
            {"entries":[{"match":"capital","model":"sim-fast","content":"Lyon","correct":false},
                        {"match":"refuse me","behaviour":"refuse","delayMs":0}],
             "judge":{"accuracy":1,"seed":3,"unscriptedCorrect":false}}
            """);

        Assert.Equal(2, result.GetProperty("entries").GetInt32());
        Assert.Equal("Lyon", await AskAsync(client, "sim-fast", Question));
        Assert.Equal(ScriptedAnswer.RefusalText, await AskAsync(client, "sim-paced", "please refuse me"));
        Assert.Equal("Score: 2", await JudgeAsync(client, "Name a colour.", "Blue"));
        using (var cleared = await client.DeleteAsync("_sim/script"))
        {
            Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        }

        Assert.NotEqual("Lyon", await AskAsync(client, "sim-fast", Question));
        Assert.Equal("Score: 9", await JudgeAsync(client, "Name a colour.", "Blue"));
    }

    [Fact]
    public async Task ResetClearsTheScript()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        sim.State.AddScript(new ScriptedAnswer("capital") { Content = "Lyon" });

        sim.State.Reset();

        Assert.NotEqual("Lyon", await AskAsync(client, "sim-fast", Question));
    }

    [Theory]
    [InlineData("""{"entries":[{"content":"x"}]}""", "entries[0]")]
    [InlineData("""{"entries":[{"match":"a"}]}""", "entries[0]")]
    [InlineData("""{"entries":[{"match":"a","behaviour":"explode"}]}""", "entries[0].behaviour")]
    [InlineData("""{"entries":[{"match":"a","content":"x","model":"nope"}]}""", "entries[0]")]
    [InlineData("""{"entries":[{"match":"a","behaviour":"error","status":200}]}""", "entries[0]")]
    [InlineData("""{"entries":[{"match":"a","content":"x","delayMs":-1}]}""", "entries[0]")]
    [InlineData("""{"entries":[],"judge":{"accuracy":1.5}}""", "judge.accuracy")]
    [InlineData("""{"entries":[{"match":"a","content":"x","colour":1}]}""", "$.entries[0].colour")]
    public async Task TheScriptEndpointRejectsBadScriptsWithTheirPath(string body, string param)
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);

        var error = (await Sim.PostJsonAsync(client, "_sim/script", body, 400)).GetProperty("error");

        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(0, sim.State.Script.Count);
    }
}
