using System.Text;
using System.Text.Json;
using EdgeRouter.Protocol;

namespace EdgeRouter.Tests.Protocol;

public class UpstreamRequestWriterTests
{
    private static readonly byte[] Upstream = UpstreamRequestWriter.EncodeJsonString("gpt-4o-mini");

    private static string Rewrite(string json, bool addUsage = true)
    {
        var request = ChatRequestParser.Parse(Encoding.UTF8.GetBytes(json), out var error);
        Assert.True(request is not null, error?.Message);
        using var output = new PooledBufferWriter();
        UpstreamRequestWriter.Write(request, Upstream, addUsage, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Fact]
    public void OnlyTheModelValueChangesForANonStreamingRequest()
    {
        const string json = "{ \"x_first\" : [1, 2.50, \"\\u00e9\"],\n \"model\" :\t\"auto\" , \"messages\":[{\"role\":\"user\",\"content\":\"hi \\\"there\\\"\"}], \"extra\": {\"keep\": true}\n}";

        var rewritten = Rewrite(json);

        Assert.Equal(json.Replace("\"auto\"", "\"gpt-4o-mini\"", StringComparison.Ordinal), rewritten);
    }

    [Theory]
    [InlineData(",\"stream\":true}", ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}")]
    [InlineData(",\"stream\":true,\"stream_options\":null}", ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}")]
    [InlineData(",\"stream\":true,\"stream_options\":{}}", ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}")]
    [InlineData(",\"stream\":true,\"stream_options\":{\"include_usage\":false}}", ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}")]
    [InlineData(",\"stream_options\":{\"x\":1},\"stream\":true}", ",\"stream_options\":{\"include_usage\":true,\"x\":1},\"stream\":true}")]
    [InlineData(",\"stream\":true,\"stream_options\":{\"include_usage\":true}}", ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}")]
    [InlineData(",\"stream\":false}", ",\"stream\":false}")]
    public void StreamsAskTheUpstreamForUsage(string tail, string expectedTail)
    {
        const string head = "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"model\":\"auto\"";

        var rewritten = Rewrite(head + tail);

        Assert.Equal(head.Replace("\"auto\"", "\"gpt-4o-mini\"", StringComparison.Ordinal) + expectedTail, rewritten);
        using var document = JsonDocument.Parse(rewritten);
        Assert.Equal("gpt-4o-mini", document.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public void UsageIsNotAddedWhenTheProviderOptsOut()
    {
        const string json = "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":true}";

        Assert.Equal(json.Replace("\"auto\"", "\"gpt-4o-mini\"", StringComparison.Ordinal), Rewrite(json, addUsage: false));
    }

    [Fact]
    public void TheModelAfterStreamOptionsIsStillReplaced()
    {
        var rewritten = Rewrite("{\"stream\":true,\"stream_options\":{\"include_usage\":false},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"model\":\"auto\"}");

        Assert.Equal("{\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"model\":\"gpt-4o-mini\"}", rewritten);
    }

    [Fact]
    public void AddsUsageOnlyForStreamsWithoutIt()
    {
        static ChatRequest Make(string tail) =>
            ChatRequestParser.Parse(Encoding.UTF8.GetBytes("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]" + tail), out _)!;

        Assert.True(UpstreamRequestWriter.AddsUsage(Make(",\"stream\":true}")));
        Assert.False(UpstreamRequestWriter.AddsUsage(Make(",\"stream\":true,\"stream_options\":{\"include_usage\":true}}")));
        Assert.False(UpstreamRequestWriter.AddsUsage(Make("}")));
    }
}
