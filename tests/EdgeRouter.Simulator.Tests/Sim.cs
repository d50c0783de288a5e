using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EdgeRouter.Configuration;

namespace EdgeRouter.Simulator.Tests;

/// <summary>Starts simulators on a free loopback port and builds requests for them.</summary>
internal static class Sim
{
    /// <summary>No latency at all: the benchmark profile.</summary>
    public static readonly SimulatedModelConfig Fast = new()
    {
        Name = "sim-fast", TtftMs = 0, TokensPerSecond = 1_000_000, AnswerTokens = 12, EmbeddingDimensions = 32,
    };

    /// <summary>A short paced stream.</summary>
    public static readonly SimulatedModelConfig Paced = new() { Name = "sim-paced", TtftMs = 20, TokensPerSecond = 200, AnswerTokens = 10 };

    /// <summary>A stream long enough to cancel in the middle (10 s).</summary>
    public static readonly SimulatedModelConfig Slow = new() { Name = "sim-slow", TtftMs = 5, TokensPerSecond = 20, AnswerTokens = 200 };

    public static Task<SimulatorServer> StartAsync(params SimulatedModelConfig[] models) =>
        SimulatorServer.StartAsync(new SimulatorConfig
        {
            Url = "http://127.0.0.1:0",
            Seed = 7,
            Models = models.Length > 0 ? models : [Fast, Paced, Slow],
        });

    public static HttpClient Client(SimulatorServer server) => new() { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(20) };

    public static StringContent Json(string json) => new(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    /// <summary>A chat request body; <paramref name="extra"/> is appended as raw JSON members.</summary>
    public static string ChatBody(string model, string user, bool stream = false, string extra = "") =>
        $$"""{"model":{{JsonSerializer.Serialize(model)}},"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":{{JsonSerializer.Serialize(user)}}}],"stream":{{(stream ? "true" : "false")}}{{extra}}}""";

    public static async Task<JsonElement> PostJsonAsync(HttpClient client, string path, string body, int expectedStatus = 200)
    {
        using var response = await client.PostAsync(path, Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expectedStatus, $"expected {expectedStatus}, got {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static async Task<string> PostTextAsync(HttpClient client, string path, string body)
    {
        using var response = await client.PostAsync(path, Json(body));
        Assert.Equal(200, (int)response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The <c>data:</c> payloads of an SSE text, in order; asserts the framing.</summary>
    public static List<string> Events(string sse)
    {
        var events = new List<string>();
        foreach (var block in sse.Split("\n\n"))
        {
            if (block.Length == 0)
            {
                continue;
            }

            Assert.StartsWith("data: ", block, StringComparison.Ordinal);
            events.Add(block["data: ".Length..]);
        }

        Assert.EndsWith("\n\n", sse, StringComparison.Ordinal);
        return events;
    }

    /// <summary>Polls <paramref name="condition"/> for up to five seconds.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return condition();
    }

    public static string Content(JsonElement completion, int choice = 0) =>
        completion.GetProperty("choices")[choice].GetProperty("message").GetProperty("content").GetString()!;
}
