using System.Diagnostics;
using System.Text.Json;

namespace EdgeRouter.Simulator.Tests;

public sealed class StreamingTests
{
    [Fact]
    public async Task StreamFramingMatchesTheNonStreamAnswer()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        var completion = await Sim.PostJsonAsync(client, "v1/chat/completions", Sim.ChatBody("sim-paced", "stream me"));
        using var response = await client.PostAsync("v1/chat/completions", Sim.Json(Sim.ChatBody("sim-paced", "stream me", stream: true)));

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoCache);
        var events = Sim.Events(await response.Content.ReadAsStringAsync());
        Assert.Equal(1 + 10 + 1 + 1, events.Count);
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement).ToList();
        foreach (var chunk in chunks)
        {
            Assert.Equal(["id", "object", "created", "model", "system_fingerprint", "choices"], chunk.EnumerateObject().Select(p => p.Name));
            Assert.Equal(completion.GetProperty("id").GetString(), chunk.GetProperty("id").GetString());
            Assert.Equal("chat.completion.chunk", chunk.GetProperty("object").GetString());
            Assert.Equal(["index", "delta", "logprobs", "finish_reason"], chunk.GetProperty("choices")[0].EnumerateObject().Select(p => p.Name));
        }

        Assert.Equal("""{"role":"assistant","content":""}""", Delta(chunks[0]).GetRawText());
        var tokens = chunks[1..^1].Select(c => Delta(c).GetProperty("content").GetString()).ToList();
        Assert.All(chunks[..^1], c => Assert.Equal(JsonValueKind.Null, c.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind));
        Assert.DoesNotContain(' ', tokens[0]!);
        Assert.All(tokens[1..], t => Assert.StartsWith(" ", t, StringComparison.Ordinal));
        Assert.Equal(Sim.Content(completion), string.Concat(tokens));
        Assert.Equal("{}", Delta(chunks[^1]).GetRawText());
        Assert.Equal("stop", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task UsageChunkAndUsageNullAppearOnlyWithIncludeUsage()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        var without = Sim.Events(await Sim.PostTextAsync(client, "v1/chat/completions",
            Sim.ChatBody("sim-fast", "usage", stream: true, extra: ",\"stream_options\":{\"include_usage\":false}")));
        var with = Sim.Events(await Sim.PostTextAsync(client, "v1/chat/completions",
            Sim.ChatBody("sim-fast", "usage", stream: true, extra: ",\"stream_options\":{\"include_usage\":true},\"max_tokens\":4")));

        Assert.All(without[..^1], e => Assert.DoesNotContain("usage", e, StringComparison.Ordinal));
        Assert.Equal(1 + 4 + 1 + 1 + 1, with.Count);
        foreach (var e in with[..^2])
        {
            using var chunk = JsonDocument.Parse(e);
            Assert.Equal("usage", chunk.RootElement.EnumerateObject().Last().Name);
            Assert.Equal(JsonValueKind.Null, chunk.RootElement.GetProperty("usage").ValueKind);
        }

        Assert.Equal("length", JsonDocument.Parse(with[^3]).RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        using var usageChunk = JsonDocument.Parse(with[^2]);
        Assert.Equal(0, usageChunk.RootElement.GetProperty("choices").GetArrayLength());
        Assert.Equal("""{"prompt_tokens":11,"completion_tokens":4,"total_tokens":15}""", usageChunk.RootElement.GetProperty("usage").GetRawText());
        Assert.Equal("[DONE]", with[^1]);
        var stats = sim.State.Stats("sim-fast");
        Assert.Equal(new SimulatedModelStats(2, 2, 1, 2, 0, 0), stats);
    }

    [Fact]
    public async Task SeveralChoicesStreamOneAfterAnother()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        var completion = await Sim.PostJsonAsync(client, "v1/chat/completions", Sim.ChatBody("sim-fast", "two", extra: ",\"n\":2"));
        var events = Sim.Events(await Sim.PostTextAsync(client, "v1/chat/completions", Sim.ChatBody("sim-fast", "two", stream: true, extra: ",\"n\":2")));

        Assert.Equal(2 * (1 + 12 + 1) + 1, events.Count);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement.GetProperty("choices")[0]).ToList();
        Assert.Equal(Enumerable.Repeat(0, 14).Concat(Enumerable.Repeat(1, 14)), chunks.Select(c => c.GetProperty("index").GetInt32()));
        for (var choice = 0; choice < 2; choice++)
        {
            var text = string.Concat(chunks.Skip(choice * 14).Take(14).Select(c => c.GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : ""));
            Assert.Equal(Sim.Content(completion, choice), text);
        }
    }

    [Fact]
    public async Task StreamIsPacedByTtftAndTokensPerSecond()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        var clock = Stopwatch.StartNew();
        await Sim.PostTextAsync(client, "v1/chat/completions", Sim.ChatBody("sim-paced", "pace", stream: true));

        // 20 ms to the first chunk, then 10 tokens at 200 per second.
        Assert.True(clock.ElapsedMilliseconds >= 65, $"took {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task ClientCancelMidStreamCountsAsCanceled()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        using (var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = Sim.Json(Sim.ChatBody("sim-slow", "cancel", stream: true)) })
        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            for (var read = 0; read < 3;)
            {
                var line = await reader.ReadLineAsync();
                Assert.NotNull(line);
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    read++;
                }
            }
        }

        Assert.True(await Sim.EventuallyAsync(() => sim.State.Stats("sim-slow").Canceled == 1), $"{sim.State.Stats("sim-slow")}");
        var stats = sim.State.Stats("sim-slow");
        Assert.Equal(0, stats.Completed);
        var recorded = Assert.Single(sim.State.Recent("sim-slow"));
        Assert.True(recorded.Canceled);
        Assert.True(recorded.Streamed);
        Assert.DoesNotContain("[DONE]", System.Text.Encoding.UTF8.GetString(recorded.ResponseBody), StringComparison.Ordinal);
    }

    private static JsonElement Delta(JsonElement chunk) => chunk.GetProperty("choices")[0].GetProperty("delta");
}
