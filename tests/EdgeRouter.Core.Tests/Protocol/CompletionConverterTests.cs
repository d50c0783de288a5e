using System.Text;
using System.Text.Json;
using EdgeRouter.Protocol;

namespace EdgeRouter.Tests.Protocol;

public class CompletionConverterTests
{
    private const string Completion = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"sim/cheap",
         "choices":[{"index":0,"message":{"role":"assistant","content":"Hello there"},"logprobs":null,"finish_reason":"stop"},
                    {"index":1,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"q\":1}"}}]},"logprobs":null,"finish_reason":"tool_calls"}],
         "usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12},"system_fingerprint":"fp"}
        """;

    [Fact]
    public void ACompletionBecomesChunksAndBackWithoutLoss()
    {
        var events = CompletionConverter.ToEvents(Encoding.UTF8.GetBytes(Completion), includeUsage: true);
        Assert.NotNull(events);
        Assert.All(events, e => Assert.Equal("chat.completion.chunk", JsonDocument.Parse(e).RootElement.GetProperty("object").GetString()));

        var rebuilt = CompletionConverter.ToCompletion([.. events.Select(e => (ReadOnlyMemory<byte>)e)]);

        using var document = JsonDocument.Parse(rebuilt!);
        var root = document.RootElement;
        Assert.Equal("chatcmpl-1", root.GetProperty("id").GetString());
        Assert.Equal("sim/cheap", root.GetProperty("model").GetString());
        Assert.Equal(1700000000, root.GetProperty("created").GetInt64());
        var first = root.GetProperty("choices")[0];
        Assert.Equal("Hello there", first.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", first.GetProperty("finish_reason").GetString());
        var second = root.GetProperty("choices")[1];
        Assert.Equal(JsonValueKind.Null, second.GetProperty("message").GetProperty("content").ValueKind);
        var call = second.GetProperty("message").GetProperty("tool_calls")[0];
        Assert.Equal("call_1", call.GetProperty("id").GetString());
        Assert.Equal("{\"q\":1}", call.GetProperty("function").GetProperty("arguments").GetString());
        Assert.Equal("tool_calls", second.GetProperty("finish_reason").GetString());
        Assert.Equal(12, root.GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public void TheUsageChunkIsAddedOnlyWhenAskedFor()
    {
        var without = CompletionConverter.ToEvents(Encoding.UTF8.GetBytes(Completion), includeUsage: false)!;
        var with = CompletionConverter.ToEvents(Encoding.UTF8.GetBytes(Completion), includeUsage: true)!;

        Assert.Equal(without.Count + 1, with.Count);
        Assert.DoesNotContain(without, e => Encoding.UTF8.GetString(e).Contains("\"usage\"", StringComparison.Ordinal));
    }

    [Fact]
    public void StreamedDeltasAreConcatenated()
    {
        string[] chunks =
        [
            """{"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""",
            """{"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}""",
            """{"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","type":"function","function":{"name":"f","arguments":"{\"a\""}}]},"finish_reason":null}]}""",
            """{"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"lo","tool_calls":[{"index":0,"function":{"arguments":":1}"}}]},"finish_reason":"length"}]}""",
        ];

        var json = CompletionConverter.ToCompletion([.. chunks.Select(c => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(c))]);

        using var document = JsonDocument.Parse(json!);
        var choice = document.RootElement.GetProperty("choices")[0];
        Assert.Equal("Hello", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("{\"a\":1}", choice.GetProperty("message").GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString());
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
    }
}
