using System.Text;
using System.Text.Json;
using EdgeRouter.Protocol;

namespace EdgeRouter.Tests.Protocol;

public class ChatResponseScannerTests
{
    [Fact]
    public void FindsModelUsageAndEmptyChoices()
    {
        var json = Encoding.UTF8.GetBytes("""{"id":"c","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":30,"total_tokens":42,"prompt_tokens_details":{"cached_tokens":0}}}""");

        Assert.True(ChatResponseScanner.TryScan(json, out var info));

        Assert.Equal("\"gpt-4o\"", Encoding.UTF8.GetString(info.Model.Slice(json)));
        Assert.True(info.HasUsage);
        Assert.Equal(12, info.PromptTokens);
        Assert.Equal(30, info.CompletionTokens);
        Assert.True(info.ChoicesEmpty);
        Assert.False(info.HasError);
    }

    [Theory]
    [InlineData("""{"usage":null,"id":"a","choices":[{"index":0}]}""", """{"id":"a","choices":[{"index":0}]}""")]
    [InlineData("""{"id":"a","usage":null,"choices":[{"index":0}]}""", """{"id":"a","choices":[{"index":0}]}""")]
    [InlineData("""{"id":"a","choices":[{"index":0}], "usage" : null }""", """{"id":"a","choices":[{"index":0}] }""")]
    [InlineData("""{"usage":{"prompt_tokens":1}}""", """{}""")]
    public void TheUsageMemberCanBeCutOutLeavingValidJson(string json, string expected)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        Assert.True(ChatResponseScanner.TryScan(bytes, out var info));

        var output = new PooledBufferWriter();
        JsonEdit.Apply(bytes, [new JsonEdit(info.UsageMember.Start, info.UsageMember.Length, ReadOnlyMemory<byte>.Empty)], output);

        var result = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.Equal(expected, result);
        using var _ = JsonDocument.Parse(result);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1]")]
    [InlineData("{\"a\":")]
    public void NonObjectsAreNotCompletions(string text) =>
        Assert.False(ChatResponseScanner.TryScan(Encoding.UTF8.GetBytes(text), out _));

    [Fact]
    public void DetectsAnErrorObject()
    {
        Assert.True(ChatResponseScanner.TryScan("""{"error":{"message":"overloaded"}}"""u8, out var info));

        Assert.True(info.HasError);
        Assert.False(info.Model.IsPresent);
    }
}
