using System.Text;
using EdgeRouter.Protocol;

namespace EdgeRouter.Tests.Protocol;

public class PromptTokenEstimateTests
{
    [Fact]
    public void EachMessageCostsThreeTokensPlusAQuarterOfItsTextBytes()
    {
        // "Be brief." is 9 bytes → 3 + 3; "Hello there" is 11 bytes → 3 + 3.
        var body = """{"model":"m","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello there"}]}""";

        Assert.Equal(12, PromptTokenEstimate.Estimate(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void TextPartsAndEscapesCountTheirUnescapedBytes()
    {
        // "\u00e9t\u00e9" is 5 UTF-8 bytes and "abc" 3: 8 bytes → 3 + 2; the image part adds nothing.
        var body = """{"messages":[{"role":"user","content":[{"type":"text","text":"\u00e9t\u00e9"},{"type":"text","text":"abc"},{"type":"image_url","image_url":{"url":"x"}}]}]}""";

        Assert.Equal(5, PromptTokenEstimate.Estimate(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void ABodyWithoutMessagesEstimatesZero()
    {
        Assert.Equal(0, PromptTokenEstimate.Estimate("""{"model":"m"}"""u8));
        Assert.Equal(0, PromptTokenEstimate.Estimate("not json"u8));
    }
}
