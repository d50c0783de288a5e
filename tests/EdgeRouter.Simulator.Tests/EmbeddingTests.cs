using System.Buffers.Binary;
using System.Text.Json;

namespace EdgeRouter.Simulator.Tests;

public sealed class EmbeddingTests
{
    [Fact]
    public async Task EmbeddingsAreUnitLengthAndDeterministic()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        var first = await Sim.PostJsonAsync(client, "v1/embeddings", """{"model":"sim-fast","input":["alpha","beta","alpha"]}""");
        var again = await Sim.PostJsonAsync(client, "v1/embeddings", """{"model":"sim-fast","input":"alpha"}""");

        Assert.Equal(["object", "data", "model", "usage"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal("list", first.GetProperty("object").GetString());
        Assert.Equal("sim-fast", first.GetProperty("model").GetString());
        var vectors = first.GetProperty("data").EnumerateArray().Select(Vector).ToList();
        Assert.Equal(3, vectors.Count);
        Assert.All(vectors, v => Assert.Equal(32, v.Length));
        Assert.All(vectors, v => Assert.InRange(Math.Sqrt(v.Sum(x => (double)x * x)), 0.9999, 1.0001));
        Assert.Equal(vectors[0], vectors[2]);
        Assert.NotEqual(vectors[0], vectors[1]);
        Assert.Equal(vectors[0], Vector(again.GetProperty("data")[0]));
        Assert.Equal(2, first.GetProperty("data")[2].GetProperty("index").GetInt32());
        Assert.Equal("""{"prompt_tokens":5,"total_tokens":5}""", first.GetProperty("usage").GetRawText());
    }

    [Fact]
    public async Task DimensionsAreHonoured()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        var embedding = await Sim.PostJsonAsync(client, "v1/embeddings", """{"model":"sim-fast","input":"alpha","dimensions":7}""");

        var vector = Vector(embedding.GetProperty("data")[0]);
        Assert.Equal(7, vector.Length);
        Assert.InRange(Math.Sqrt(vector.Sum(x => (double)x * x)), 0.9999, 1.0001);
    }

    [Fact]
    public async Task Base64DecodesToTheSameFloats()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        var floats = await Sim.PostJsonAsync(client, "v1/embeddings", """{"model":"sim-fast","input":"alpha","encoding_format":"float"}""");
        var base64 = await Sim.PostJsonAsync(client, "v1/embeddings", """{"model":"sim-fast","input":"alpha","encoding_format":"base64"}""");

        var bytes = Convert.FromBase64String(base64.GetProperty("data")[0].GetProperty("embedding").GetString()!);
        var decoded = Enumerable.Range(0, bytes.Length / 4).Select(i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4))).ToArray();
        Assert.Equal(Vector(floats.GetProperty("data")[0]), decoded);
    }

    [Fact]
    public async Task TokenArrayInputsAreHashedFromTheirJsonText()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        var single = await Sim.PostJsonAsync(client, "v1/embeddings", """{"model":"sim-fast","input":[1,2,3]}""");
        var nested = await Sim.PostJsonAsync(client, "v1/embeddings", """{"model":"sim-fast","input":[[1,2,3],[4,5]]}""");

        Assert.Equal(1, single.GetProperty("data").GetArrayLength());
        Assert.Equal(3, single.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(2, nested.GetProperty("data").GetArrayLength());
        Assert.Equal(5, nested.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(Vector(single.GetProperty("data")[0]), Vector(nested.GetProperty("data")[0]));
    }

    [Theory]
    [InlineData("""{"model":"sim-fast"}""", 400)]
    [InlineData("""{"model":"sim-fast","input":[]}""", 400)]
    [InlineData("""{"model":"sim-fast","input":42}""", 400)]
    [InlineData("""{"model":"sim-fast","input":["a",1]}""", 400)]
    [InlineData("""{"model":"sim-fast","input":[1,"a"]}""", 400)]
    [InlineData("""{"model":"sim-fast","input":[[1],[]]}""", 400)]
    [InlineData("""{"model":"sim-fast","input":[[1],{"a":[1]}]}""", 400)]
    [InlineData("""{"model":"sim-fast","input":[1.5]}""", 400)]
    [InlineData("""{"model":"sim-fast","input":[null]}""", 400)]
    [InlineData("""{"model":"sim-fast","input":"a","dimensions":0}""", 400)]
    [InlineData("""{"model":"sim-fast","input":"a","encoding_format":"hex"}""", 400)]
    [InlineData("""{"model":"sim-fast","input":"a""", 400)]
    [InlineData("""{"model":"nope","input":"a"}""", 404)]
    public async Task BadEmbeddingRequestsGetOpenAiErrors(string body, int status)
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        var error = await Sim.PostJsonAsync(client, "v1/embeddings", body, status);

        Assert.Equal("invalid_request_error", error.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task EmbeddingFaultsApplyToo()
    {
        await using var sim = await Sim.StartAsync();
        using var client = Sim.Client(sim);
        sim.State.EnqueueFaults("sim-fast", new SimulatedFault(SimulatedFaultKind.RateLimit), new SimulatedFault(SimulatedFaultKind.Drop));

        await Sim.PostJsonAsync(client, "v1/embeddings", """{"model":"sim-fast","input":"a"}""", 429);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync("v1/embeddings", Sim.Json("""{"model":"sim-fast","input":"a"}""")));
        await Sim.PostJsonAsync(client, "v1/embeddings", """{"model":"sim-fast","input":"a"}""");
        Assert.Equal(new SimulatedModelStats(3, 0, 0, 2, 0, 2), sim.State.Stats("sim-fast"));
    }

    private static float[] Vector(JsonElement item) =>
        item.GetProperty("embedding").EnumerateArray().Select(x => x.GetSingle()).ToArray();
}
