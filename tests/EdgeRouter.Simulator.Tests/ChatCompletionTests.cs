using System.Net;
using System.Text.Json;

namespace EdgeRouter.Simulator.Tests;

public sealed class ChatCompletionTests
{
    [Fact]
    public async Task SameMessagesGiveTheSameAnswer()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        var first = await Sim.PostJsonAsync(client, "v1/chat/completions", Sim.ChatBody("sim-fast", "hello"));
        var second = await Sim.PostJsonAsync(client, "v1/chat/completions", Sim.ChatBody("sim-fast", "hello"));

        Assert.Equal(Sim.Content(first), Sim.Content(second));
        Assert.Equal(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
        Assert.Equal(12, Sim.Content(first).Split(' ').Length);
    }

    [Fact]
    public async Task DifferentMessagesGiveDifferentAnswers()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        var hello = await Sim.PostJsonAsync(client, "v1/chat/completions", Sim.ChatBody("sim-fast", "hello"));
        var bye = await Sim.PostJsonAsync(client, "v1/chat/completions", Sim.ChatBody("sim-fast", "goodbye"));
        var otherModel = await Sim.PostJsonAsync(client, "v1/chat/completions", Sim.ChatBody("sim-paced", "hello"));

        Assert.NotEqual(Sim.Content(hello), Sim.Content(bye));
        Assert.NotEqual(Sim.Content(hello).Split(' ')[..10], Sim.Content(otherModel).Split(' '));
    }

    [Fact]
    public async Task CompletionHasTheOpenAiShapeInOrder()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        // "Be brief." is 9 bytes (3 tokens), "hello" 5 bytes (2 tokens): 2 * 3 + 3 + 2.
        var completion = await Sim.PostJsonAsync(client, "v1/chat/completions", Sim.ChatBody("sim-fast", "hello"));

        Assert.Equal(["id", "object", "created", "model", "choices", "usage", "system_fingerprint"],
            completion.EnumerateObject().Select(p => p.Name));
        Assert.Matches("^chatcmpl-sim-[0-9a-f]{16}$", completion.GetProperty("id").GetString());
        Assert.Equal("chat.completion", completion.GetProperty("object").GetString());
        Assert.InRange(completion.GetProperty("created").GetInt64(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60,
            DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.Equal("sim-fast", completion.GetProperty("model").GetString());
        Assert.Equal("fp_edgerouter_sim", completion.GetProperty("system_fingerprint").GetString());
        var choice = completion.GetProperty("choices")[0];
        Assert.Equal(["index", "message", "logprobs", "finish_reason"], choice.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["role", "content"], choice.GetProperty("message").EnumerateObject().Select(p => p.Name));
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        var usage = completion.GetProperty("usage");
        Assert.Equal(["prompt_tokens", "completion_tokens", "total_tokens"], usage.EnumerateObject().Select(p => p.Name));
        Assert.Equal(11, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(12, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(23, usage.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task PromptTokensCountTextPartsAndEscapedText()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        // Parts "abcd" + "é" (2 bytes once unescaped) = 6 bytes -> 2 tokens, plus 3 per message.
        var body = """{"model":"sim-fast","messages":[{"role":"user","content":[{"type":"text","text":"abcd"},{"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"\u00e9"}]}]}""";
        var completion = await Sim.PostJsonAsync(client, "v1/chat/completions", body);

        Assert.Equal(5, completion.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Theory]
    [InlineData("\"max_tokens\":5", 5)]
    [InlineData("\"max_completion_tokens\":3,\"max_tokens\":7", 3)]
    public async Task MaxTokensTruncatesWithFinishReasonLength(string member, int expected)
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        var full = await Sim.PostJsonAsync(client, "v1/chat/completions", Sim.ChatBody("sim-fast", "truncate me"));
        var cut = await Sim.PostJsonAsync(client, "v1/chat/completions", Sim.ChatBody("sim-fast", "truncate me", extra: "," + member));

        Assert.Equal("length", cut.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(expected, cut.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(Sim.Content(full).Split(' ')[..expected], Sim.Content(cut).Split(' '));
    }

    [Fact]
    public async Task MaxTokensAtTheAnswerLengthStopsNormally()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        var completion = await Sim.PostJsonAsync(client, "v1/chat/completions", Sim.ChatBody("sim-fast", "x", extra: ",\"max_tokens\":100"));

        Assert.Equal("stop", completion.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(12, completion.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task SeveralChoicesGetDifferentAnswers()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        var single = await Sim.PostJsonAsync(client, "v1/chat/completions", Sim.ChatBody("sim-fast", "pick"));
        var three = await Sim.PostJsonAsync(client, "v1/chat/completions", Sim.ChatBody("sim-fast", "pick", extra: ",\"n\":3"));

        Assert.Equal(3, three.GetProperty("choices").GetArrayLength());
        Assert.Equal(Sim.Content(single), Sim.Content(three, 0));
        Assert.NotEqual(Sim.Content(three, 0), Sim.Content(three, 1));
        Assert.Equal(2, three.GetProperty("choices")[2].GetProperty("index").GetInt32());
        Assert.Equal(36, three.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task UnknownModelIs404WithModelNotFound()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        var error = await Sim.PostJsonAsync(client, "v1/chat/completions", Sim.ChatBody("gpt-nope", "hi"), 404);

        Assert.Equal(
            """{"error":{"message":"The model 'gpt-nope' does not exist","type":"invalid_request_error","param":"model","code":"model_not_found"}}""",
            error.GetRawText());
        Assert.Equal(0, sim.State.Stats("gpt-nope").Requests);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[1,2]")]
    [InlineData("{\"model\":\"sim-fast\"}")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")]
    [InlineData("{\"model\":\"sim-fast\",\"messages\":[]}")]
    [InlineData("{\"model\":\"sim-fast\",\"messages\":\"hi\"}")]
    [InlineData("{\"model\":\"sim-fast\",\"messages\":[1]}")]
    [InlineData("{\"model\":42,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")]
    [InlineData("{\"model\":\"sim-fast\",\"messages\":[{\"content\":\"hi\"}],\"n\":0}")]
    [InlineData("{\"model\":\"sim-fast\",\"messages\":[{\"content\":\"hi\"}],\"max_tokens\":-1}")]
    [InlineData("{\"model\":\"sim-fast\",\"messages\":[{\"content\":\"hi\"}],\"stream\":\"yes\"}")]
    [InlineData("{\"model\":\"sim-fast\",\"messages\":[{\"content\":\"hi\"}],\"stream_options\":{\"include_usage\":1}}")]
    [InlineData("{\"model\":\"sim-fast\",\"messages\":[{\"content\":\"hi\"}]} trailing")]
    [InlineData("{\"model\":\"sim-\\ud800\",\"messages\":[]}")]
    public async Task BadRequestsAre400WithAnOpenAiError(string body)
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        var error = await Sim.PostJsonAsync(client, "v1/chat/completions", body, 400);

        Assert.Equal("invalid_request_error", error.GetProperty("error").GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("error").GetProperty("message").GetString()));
    }

    [Theory]
    [InlineData("GET", "v1/chat/completions")]
    [InlineData("POST", "v1/completions")]
    [InlineData("GET", "")]
    [InlineData("DELETE", "_sim/stats")]
    public async Task UnknownEndpointsAre404WithAnOpenAiError(string method, string path)
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_request_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task ModelsEndpointListsEveryModel()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        using var document = JsonDocument.Parse(await client.GetStringAsync("v1/models"));
        var root = document.RootElement;

        Assert.Equal("list", root.GetProperty("object").GetString());
        Assert.Equal(["sim-fast", "sim-paced", "sim-slow"], root.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
        var first = root.GetProperty("data")[0];
        Assert.Equal(["id", "object", "created", "owned_by"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal("edgerouter-sim", first.GetProperty("owned_by").GetString());
    }

    [Fact]
    public async Task HealthzSaysOk()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        using var response = await client.GetAsync("healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.Contains("Server"));
    }
}
