using System.Text;

namespace EdgeRouter.Simulator.Tests;

public sealed class RecordingTests
{
    [Fact]
    public async Task RecentRecordsRequestAndResponseBytesExactly()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        var plainBody = Sim.ChatBody("sim-fast", "record \u00e9 me");
        var streamBody = Sim.ChatBody("sim-fast", "record me too", stream: true);
        using var plain = await client.PostAsync("v1/chat/completions", Sim.Json(plainBody));
        var plainBytes = await plain.Content.ReadAsByteArrayAsync();
        using var streamed = await client.PostAsync("v1/chat/completions", Sim.Json(streamBody));
        var streamBytes = await streamed.Content.ReadAsByteArrayAsync();

        var recent = sim.State.Recent("sim-fast");
        Assert.Equal(2, recent.Count);
        Assert.Equal(Encoding.UTF8.GetBytes(plainBody), recent[0].RequestBody);
        Assert.Equal(plainBytes, recent[0].ResponseBody);
        Assert.Equal(200, recent[0].StatusCode);
        Assert.False(recent[0].Streamed);
        Assert.False(recent[0].Canceled);
        Assert.Equal(Encoding.UTF8.GetBytes(streamBody), recent[1].RequestBody);
        Assert.Equal(streamBytes, recent[1].ResponseBody);
        Assert.True(recent[1].Streamed);
    }

    [Fact]
    public async Task RecentKeepsTheLast64ExchangesOldestFirst()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        for (var i = 0; i < 70; i++)
        {
            using var response = await client.PostAsync("v1/chat/completions", Sim.Json(Sim.ChatBody("sim-fast", $"message {i}")));
        }

        var recent = sim.State.Recent("sim-fast");
        Assert.Equal(64, recent.Count);
        Assert.Contains("message 6\"", Encoding.UTF8.GetString(recent[0].RequestBody), StringComparison.Ordinal);
        Assert.Contains("message 69\"", Encoding.UTF8.GetString(recent[^1].RequestBody), StringComparison.Ordinal);
        Assert.Empty(sim.State.Recent("sim-paced"));
    }

    [Fact]
    public async Task ErrorAnswersAreRecordedWithTheirStatus()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        await Sim.PostJsonAsync(client, "v1/chat/completions", """{"model":"sim-fast","messages":[]}""", 400);

        var recorded = Assert.Single(sim.State.Recent("sim-fast"));
        Assert.Equal(400, recorded.StatusCode);
        Assert.Contains("invalid_request_error", Encoding.UTF8.GetString(recorded.ResponseBody), StringComparison.Ordinal);
        Assert.Equal(new SimulatedModelStats(1, 0, 0, 1, 0, 0), sim.State.Stats("sim-fast"));
    }
}
