using System.Net;
using System.Text;
using System.Text.Json;

namespace EdgeRouter.FunctionalTests;

public class BadInputTests
{
    private static async Task<(int Status, JsonElement Error)> ErrorOf(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        foreach (var field in new[] { "message", "type", "param", "code" })
        {
            Assert.True(error.TryGetProperty(field, out _), $"error.{field} is missing in {text}");
        }

        return ((int)response.StatusCode, error);
    }

    [Theory]
    [InlineData("{\"model\":\"fast\",\"messages\":[", 400, "invalid_json", null)]
    [InlineData("{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":\"hot\"}", 400, "invalid_type", "temperature")]
    [InlineData("{\"model\":\"fast\"}", 400, "missing_required_parameter", "messages")]
    [InlineData("{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":7}]}", 400, "invalid_type", "messages[0].content")]
    [InlineData("{\"model\":\"no-such-route\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", 404, "model_not_found", "model")]
    [InlineData("{\"model\":\"sim/embed\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", 404, "model_not_found", "model")]
    [InlineData("\"just a string\"", 400, "invalid_json", null)]
    public async Task BadChatRequestsGetAClearOpenAiError(string body, int status, string code, string? param)
    {
        await using var test = await TestGateway.StartAsync();

        using var response = await test.PostChatAsync(body);
        var (actualStatus, error) = await ErrorOf(response);

        Assert.Equal(status, actualStatus);
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(0, test.Sim.Stats("sim-cheap").Requests);
    }

    [Fact]
    public async Task ABodyOverTheLimitIsRejectedWith413()
    {
        await using var test = await TestGateway.StartAsync(api => TestGateway.Config(api, serverExtra: ", \"maxRequestBodyBytes\": 1024"));

        using var declared = await test.PostChatAsync(TestGateway.ChatBody("fast", new string('a', 2000)));
        using var chunked = await test.Client.PostAsync("/v1/chat/completions", new ChunkedJson(TestGateway.ChatBody("fast", new string('b', 5000))));

        Assert.Equal(413, (await ErrorOf(declared)).Status);
        Assert.Equal("request_too_large", (await ErrorOf(chunked)).Error.GetProperty("code").GetString());
        using var small = await test.PostChatAsync(TestGateway.ChatBody("fast"));
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=latin1")]
    [InlineData(null)]
    public async Task AWrongContentTypeIsRejectedWith415(string? contentType)
    {
        await using var test = await TestGateway.StartAsync();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(TestGateway.ChatBody("fast")));
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using var response = await test.Client.PostAsync("/v1/chat/completions", content);
        var (status, error) = await ErrorOf(response);

        Assert.Equal(415, status);
        Assert.Equal("unsupported_media_type", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task TheWrongMethodAndUnknownPathsGetJsonErrors()
    {
        await using var test = await TestGateway.StartAsync();

        using var get = await test.Client.GetAsync("/v1/chat/completions");
        using var unknown = await test.Client.PostAsync("/v1/completionz", TestGateway.Json("{}"));

        Assert.Equal(405, (await ErrorOf(get)).Status);
        Assert.Equal("POST", get.Content.Headers.Allow.Single());
        Assert.Equal(404, (await ErrorOf(unknown)).Status);
    }

    [Fact]
    public async Task RandomlyCorruptedRequestsNeverCauseA5xx()
    {
        await using var test = await TestGateway.StartAsync();
        var random = new Random(2024);
        var seed = Encoding.UTF8.GetBytes(TestGateway.ChatBody("fast", "tell me something", ",\"stream\":true,\"n\":1,\"tools\":[{\"type\":\"function\"}]"));
        for (var i = 0; i < 300; i++)
        {
            var body = (byte[])seed.Clone();
            for (var m = random.Next(1, 4); m > 0; m--)
            {
                body[random.Next(body.Length)] = (byte)random.Next(256);
            }

            var content = new ByteArrayContent(body);
            content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            using var response = await test.Client.PostAsync("/v1/chat/completions", content);
            await response.Content.ReadAsByteArrayAsync();

            Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} for {Encoding.UTF8.GetString(body)}");
        }
    }

    /// <summary>A body sent with chunked transfer encoding, so the gateway cannot reject it by Content-Length.</summary>
    private sealed class ChunkedJson(string json) : HttpContent
    {
        private readonly byte[] _bytes = Encoding.UTF8.GetBytes(json);

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            for (var offset = 0; offset < _bytes.Length; offset += 512)
            {
                await stream.WriteAsync(_bytes.AsMemory(offset, Math.Min(512, _bytes.Length - offset)));
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            Headers.ContentType = new("application/json");
            return false;
        }
    }
}
