using System.Net;
using System.Text.Json;

namespace EdgeRouter.FunctionalTests;

public class EndpointTests
{
    [Fact]
    public async Task ModelsListsRoutesAndConcreteModels()
    {
        await using var test = await TestGateway.StartAsync();

        var list = JsonDocument.Parse(await test.Client.GetStringAsync("/v1/models")).RootElement;

        Assert.Equal("list", list.GetProperty("object").GetString());
        var ids = list.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Equal(["auto", "fast", "pair", "sim/cheap", "sim/strong", "sim/slow", "sim/ghost", "sim/embed", "sim2/strong"], ids);
        var auto = list.GetProperty("data")[0];
        Assert.Equal("model", auto.GetProperty("object").GetString());
        Assert.Equal("route", auto.GetProperty("edgerouter").GetProperty("kind").GetString());
        var cheap = list.GetProperty("data")[3];
        Assert.Equal("sim", cheap.GetProperty("owned_by").GetString());
        Assert.Equal(1, cheap.GetProperty("edgerouter").GetProperty("input_price_per_million").GetDecimal());
    }

    [Fact]
    public async Task OneModelCanBeRetrievedByIdEvenWithASlash()
    {
        await using var test = await TestGateway.StartAsync();

        var model = JsonDocument.Parse(await test.Client.GetStringAsync("/v1/models/sim/strong")).RootElement;
        using var missing = await test.Client.GetAsync("/v1/models/nope");

        Assert.Equal("sim/strong", model.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task EmbeddingsAreForwardedToTheEmbeddingModel()
    {
        await using var test = await TestGateway.StartAsync();

        using var response = await test.Client.PostAsync("/v1/embeddings", TestGateway.Json("""{"model":"sim/embed","input":["one","two"]}"""));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("sim/embed", body.GetProperty("model").GetString());
        Assert.Equal(2, body.GetProperty("data").GetArrayLength());
        Assert.Equal(384, body.GetProperty("data")[0].GetProperty("embedding").GetArrayLength());
        Assert.Equal("{\"model\":\"sim-embed\",\"input\":[\"one\",\"two\"]}", System.Text.Encoding.UTF8.GetString(test.Sim.Recent("sim-embed")[^1].RequestBody));
    }

    [Theory]
    [InlineData("""{"model":"sim/cheap","input":"x"}""", 404)]
    [InlineData("""{"model":"sim/embed"}""", 400)]
    [InlineData("""{"model":"sim/embed","input":5}""", 400)]
    [InlineData("""{"input":"x"}""", 400)]
    [InlineData("""{"model":""", 400)]
    public async Task BadEmbeddingRequestsAreRejected(string body, int status)
    {
        await using var test = await TestGateway.StartAsync();

        using var response = await test.Client.PostAsync("/v1/embeddings", TestGateway.Json(body));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.TryGetProperty("error", out _));
    }

    [Fact]
    public async Task HealthReadinessAndMetricsAnswer()
    {
        await using var test = await TestGateway.StartAsync();

        Assert.Equal("ok\n", await test.Client.GetStringAsync("/healthz"));
        var ready = JsonDocument.Parse(await test.Client.GetStringAsync("/readyz")).RootElement;
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal("closed", ready.GetProperty("providers").GetProperty("sim").GetString());
        using var metrics = await test.Client.GetAsync("/metrics");
        Assert.Equal("text/plain", metrics.Content.Headers.ContentType!.MediaType);
        var text = await metrics.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE edgerouter_requests_total counter", text, StringComparison.Ordinal);
        Assert.Contains("edgerouter_circuit_state{provider=\"sim\"} 0", text, StringComparison.Ordinal);
    }
}
