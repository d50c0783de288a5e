using System.Text;
using EdgeRouter.Dispatch.Forwarding;

namespace EdgeRouter.Tests.Forwarding;

public class SseFramingTests
{
    [Theory]
    [InlineData("data: a\n\ndata: b\n\n", 9)]
    [InlineData("data: a\r\n\r\nrest", 11)]
    [InlineData("event: x\ndata: a\n\n", 18)]
    [InlineData(": keep-alive\n\n", 14)]
    [InlineData("data: a\n", -1)]
    [InlineData("data: a\n\r", -1)]
    [InlineData("data: a", -1)]
    [InlineData("", -1)]
    public void AnEventEndsAtTheFirstBlankLine(string text, int expected) =>
        Assert.Equal(expected, SseFraming.CompleteEventLength(Encoding.UTF8.GetBytes(text)));

    [Theory]
    [InlineData("data: {\"a\":1}\n\n", "{\"a\":1}")]
    [InlineData("data:{\"a\":1}\r\n\r\n", "{\"a\":1}")]
    [InlineData("event: chunk\nid: 3\ndata: [DONE]\n\n", "[DONE]")]
    public void TheSingleDataPayloadIsFound(string ev, string payload)
    {
        var bytes = Encoding.UTF8.GetBytes(ev);

        Assert.True(SseFraming.TryGetSingleData(bytes, out var start, out var length));
        Assert.Equal(payload, Encoding.UTF8.GetString(bytes, start, length));
    }

    [Theory]
    [InlineData(": comment\n\n")]
    [InlineData("data: a\ndata: b\n\n")]
    public void EventsWithoutExactlyOneDataLineAreLeftAlone(string ev) =>
        Assert.False(SseFraming.TryGetSingleData(Encoding.UTF8.GetBytes(ev), out _, out _));
}
