using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using EdgeRouter.Hosting;
using OpenAI;
using OpenAI.Embeddings;

namespace EdgeRouter.FunctionalTests;

/// <summary>In-process encoders configured in the gateway and served on /v1/embeddings.</summary>
public class LocalModelTests
{
    private static string TinyEncoder => Path.Combine(AppContext.BaseDirectory, "TestData", "models", "tiny-encoder");

    private static Func<Uri, string> WithEncoder(string path) => api => TestGateway.Config(api).TrimEnd()[..^1] + $$"""
        , "inference": { "encoders": { "tiny": { "path": "{{path}}" } } }
        }
        """;

    private static float[] Vector(JsonElement data) => [.. data.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle())];

    [Fact]
    public async Task ALocalEncoderAnswersEmbeddingsInOpenAiShape()
    {
        await using var test = await TestGateway.StartAsync(WithEncoder(TinyEncoder));
        test.Gateway.Models.TryGetEncoder("tiny", out var encoder);
        var expected = new float[encoder!.Dimensions];
        var tokens = encoder.Encode("the cat sat", expected);

        using var response = await test.Client.PostAsync("/v1/embeddings", TestGateway.Json("""{"model":"local/tiny","input":["the cat sat","hello world"]}"""));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("local/tiny", body.GetProperty("model").GetString());
        Assert.Equal("local", response.Headers.GetValues("x-edgerouter-provider").Single());
        Assert.Equal(2, body.GetProperty("data").GetArrayLength());
        Assert.Equal(1, body.GetProperty("data")[1].GetProperty("index").GetInt32());
        Assert.Equal(expected, Vector(body.GetProperty("data")[0]));
        Assert.True(body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32() > tokens);
        Assert.Equal(0, test.Sim.Stats("sim-embed").Requests);
    }

    [Fact]
    public async Task Base64EncodingCarriesTheSameFloats()
    {
        await using var test = await TestGateway.StartAsync(WithEncoder(TinyEncoder));

        using var plain = await test.Client.PostAsync("/v1/embeddings", TestGateway.Json("""{"model":"local/tiny","input":"good morning"}"""));
        using var packed = await test.Client.PostAsync("/v1/embeddings", TestGateway.Json("""{"model":"local/tiny","input":"good morning","encoding_format":"base64"}"""));

        var floats = Vector(JsonDocument.Parse(await plain.Content.ReadAsStringAsync()).RootElement.GetProperty("data")[0]);
        var bytes = Convert.FromBase64String(JsonDocument.Parse(await packed.Content.ReadAsStringAsync()).RootElement.GetProperty("data")[0].GetProperty("embedding").GetString()!);
        Assert.Equal(floats, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray());
    }

    [Theory]
    [InlineData("""{"model":"local/tiny","input":[[1,2,3]]}""", "input[0]")]
    [InlineData("""{"model":"local/tiny","input":[]}""", "input")]
    [InlineData("""{"model":"local/tiny","input":"x","dimensions":16}""", "dimensions")]
    [InlineData("""{"model":"local/tiny","input":"x","encoding_format":"int8"}""", "encoding_format")]
    [InlineData("""{"model":"local/nope","input":"x"}""", "model")]
    public async Task BadLocalEmbeddingRequestsAreRejected(string body, string param)
    {
        await using var test = await TestGateway.StartAsync(WithEncoder(TinyEncoder));

        using var response = await test.Client.PostAsync("/v1/embeddings", TestGateway.Json(body));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.True((int)response.StatusCode is 400 or 404);
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task TheModelListShowsLocalEncoders()
    {
        await using var test = await TestGateway.StartAsync(WithEncoder(TinyEncoder));

        var model = JsonDocument.Parse(await test.Client.GetStringAsync("/v1/models/local/tiny")).RootElement;

        Assert.Equal("embedding", model.GetProperty("edgerouter").GetProperty("kind").GetString());
        Assert.Equal(4, model.GetProperty("edgerouter").GetProperty("dimensions").GetInt32());
        Assert.Contains("\"local/tiny\"", await test.Client.GetStringAsync("/v1/models"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheOfficialClientReadsLocalEmbeddings()
    {
        await using var test = await TestGateway.StartAsync(WithEncoder(TinyEncoder));
        var client = new EmbeddingClient("local/tiny", new ApiKeyCredential("unused"),
            new OpenAIClientOptions { Endpoint = new Uri(test.Gateway.Addresses[0], "/v1") });

        OpenAIEmbedding embedding = await client.GenerateEmbeddingAsync("a dog ran in the park");

        Assert.Equal(4, embedding.ToFloats().Length);
        Assert.Equal(1, Math.Sqrt(embedding.ToFloats().ToArray().Sum(v => v * v)), 4);
    }

    [Fact]
    public async Task AnEncoderThatCannotBeLoadedStopsStartupWithItsConfigPath()
    {
        var config = WithEncoder("/no/such/model")(new Uri("http://127.0.0.1:1/v1"));

        var error = await Assert.ThrowsAsync<ConfigurationException>(() => GatewayApp.StartAsync(new GatewayOptions
        {
            ConfigJson = Encoding.UTF8.GetBytes(config),
            HandleSignals = false,
        }));

        Assert.Equal("inference.encoders.tiny could not be loaded: Encoder 'tiny': directory /no/such/model not found.", error.Errors.Single().ToString());
    }
}
