using System.Text;
using EdgeRouter.Protocol;

namespace EdgeRouter.Cache.Tests;

public class RequestFingerprintTests
{
    private const string Conversation = """
        [{"role":"system","content":"You are terse."},{"role":"user","content":"hi"},{"role":"assistant","content":"Hello."},{"role":"user","content":"How do I reset my password?"}]
        """;

    internal static ChatRequest Parse(string json)
    {
        var request = ChatRequestParser.Parse(Encoding.UTF8.GetBytes(json), out var error);
        Assert.True(request is not null, error?.Message);
        return request;
    }

    private static RequestFingerprint Of(string json) => RequestFingerprint.Of(Parse(json));

    [Fact]
    public void KeyOrderAndWhiteSpaceBetweenTokensDoNotChangeTheHashes()
    {
        var compact = Of($$"""{"model":"auto","temperature":0.2,"max_tokens":50,"messages":{{Conversation}}}""");
        var spaced = Of($$"""
            {
              "max_tokens" : 50,
              "messages" : [
                {"role":"system","content":"You are terse."},
                {"role":"user","content":"hi"},
                {"role":"assistant","content":"Hello."},
                {"role":"user","content":"How do I reset my password?"}
              ],
              "temperature" : 0.2,
              "model" : "auto"
            }
            """);

        Assert.Equal(compact.ContextHash, spaced.ContextHash);
        Assert.Equal(compact.ExactHash, spaced.ExactHash);
    }

    [Fact]
    public void CaseAndSpacingOfTheLastUserMessageDoNotChangeTheExactHash()
    {
        var plain = Of("""{"model":"auto","messages":[{"role":"user","content":"How do I reset my password?"}]}""");
        var shouted = Of("""{"model":"auto","messages":[{"role":"user","content":"  HOW do I   reset my\n password?  "}]}""");

        Assert.Equal(plain.ExactHash, shouted.ExactHash);
        Assert.Equal(plain.ContextHash, shouted.ContextHash);
        Assert.Equal("  HOW do I   reset my\n password?  ", shouted.LastUserText);
    }

    [Fact]
    public void ADifferentLastQuestionChangesOnlyTheExactHash()
    {
        var a = Of("""{"model":"auto","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"What is DNS?"}]}""");
        var b = Of("""{"model":"auto","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"What is TCP?"}]}""");

        Assert.Equal(a.ContextHash, b.ContextHash);
        Assert.NotEqual(a.ExactHash, b.ExactHash);
    }

    [Fact]
    public void ADifferentSystemPromptChangesBothHashes()
    {
        var a = Of("""{"model":"auto","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"What is DNS?"}]}""");
        var b = Of("""{"model":"auto","messages":[{"role":"system","content":"Answer in French."},{"role":"user","content":"What is DNS?"}]}""");

        Assert.NotEqual(a.ContextHash, b.ContextHash);
        Assert.NotEqual(a.ExactHash, b.ExactHash);
        Assert.Equal(a.LastUserText, b.LastUserText);
    }

    [Fact]
    public void DifferentEarlierTurnsChangeBothHashes()
    {
        var a = Of("""{"model":"auto","messages":[{"role":"user","content":"I use Linux."},{"role":"assistant","content":"Noted."},{"role":"user","content":"How do I install Node?"}]}""");
        var b = Of("""{"model":"auto","messages":[{"role":"user","content":"I use Windows."},{"role":"assistant","content":"Noted."},{"role":"user","content":"How do I install Node?"}]}""");
        var none = Of("""{"model":"auto","messages":[{"role":"user","content":"How do I install Node?"}]}""");

        Assert.NotEqual(a.ContextHash, b.ContextHash);
        Assert.NotEqual(a.ExactHash, b.ExactHash);
        Assert.NotEqual(a.ContextHash, none.ContextHash);
        Assert.NotEqual(a.ExactHash, none.ExactHash);
    }

    [Theory]
    [InlineData("\"temperature\":0.7")]
    [InlineData("\"max_tokens\":10")]
    [InlineData("\"response_format\":{\"type\":\"json_object\"}")]
    [InlineData("\"seed\":1")]
    [InlineData("\"stop\":[\"\\n\"]")]
    public void AnAnswerShapingParameterChangesTheContextHash(string parameter)
    {
        var without = Of("""{"model":"auto","messages":[{"role":"user","content":"Name a colour."}]}""");
        var with = Of($$"""{"model":"auto",{{parameter}},"messages":[{"role":"user","content":"Name a colour."}]}""");

        Assert.NotEqual(without.ContextHash, with.ContextHash);
        Assert.NotEqual(without.ExactHash, with.ExactHash);
    }

    [Theory]
    [InlineData("\"model\":\"other\"")]
    [InlineData("\"stream\":true")]
    [InlineData("\"stream\":true,\"stream_options\":{\"include_usage\":true}")]
    [InlineData("\"user\":\"u-42\"")]
    [InlineData("\"metadata\":{\"team\":\"search\"}")]
    public void DeliveryAndBillingFieldsDoNotChangeTheHashes(string parameter)
    {
        var plain = Of("""{"model":"auto","messages":[{"role":"user","content":"Name a colour."}]}""");
        var with = Of($$"""{{{parameter}},"messages":[{"role":"user","content":"Name a colour."}]{{(parameter.Contains("model", StringComparison.Ordinal) ? "" : ",\"model\":\"auto\"")}}}""");

        Assert.Equal(plain.ContextHash, with.ContextHash);
        Assert.Equal(plain.ExactHash, with.ExactHash);
    }

    [Fact]
    public void OnlyTheLastUserMessageIsTheTextToEmbed()
    {
        var fingerprint = Of($$"""{"model":"auto","messages":{{Conversation}}}""");

        Assert.Equal("How do I reset my password?", fingerprint.LastUserText);
        Assert.True(fingerprint.SemanticAllowed);
        Assert.False(fingerprint.BypassRequested);
    }

    [Fact]
    public void TextPartsOfTheLastUserMessageAreJoinedByNewLines()
    {
        var fingerprint = Of("""{"model":"auto","messages":[{"role":"user","content":[{"type":"text","text":"first"},{"type":"text","text":"second"}]}]}""");

        Assert.Equal("first\nsecond", fingerprint.LastUserText);
        Assert.True(fingerprint.SemanticAllowed);
    }

    [Fact]
    public void AnImageInTheLastUserMessageForbidsSemanticLookupAndKeysTheImage()
    {
        const string Template = """{"model":"auto","messages":[{"role":"user","content":[{"type":"text","text":"What is in this picture?"},{"type":"image_url","image_url":{"url":"https://example.com/IMAGE.png"}}]}]}""";
        var cat = Of(Template.Replace("IMAGE", "cat", StringComparison.Ordinal));
        var dog = Of(Template.Replace("IMAGE", "dog", StringComparison.Ordinal));

        Assert.False(cat.SemanticAllowed);
        Assert.Equal("What is in this picture?", cat.LastUserText);
        Assert.NotEqual(cat.ContextHash, dog.ContextHash);
        Assert.NotEqual(cat.ExactHash, dog.ExactHash);
    }

    [Fact]
    public void AConversationNotEndingWithAUserMessageHasNoTextToEmbed()
    {
        var fingerprint = Of("""{"model":"auto","messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello, how can I"}]}""");

        Assert.Null(fingerprint.LastUserText);
        Assert.False(fingerprint.SemanticAllowed);
    }

    [Theory]
    [InlineData("""{"cache":false}""", true)]
    [InlineData("""{"cache":"false"}""", true)]
    [InlineData("""{"team":"search","cache":false,"other":{"nested":true}}""", true)]
    [InlineData("""{"cache":true}""", false)]
    [InlineData("""{"cache":"true"}""", false)]
    [InlineData("""{"team":"search"}""", false)]
    [InlineData("""{"nested":{"cache":false}}""", false)]
    public void MetadataCacheFalseRequestsABypass(string metadata, bool bypass)
    {
        var fingerprint = Of($$"""{"model":"auto","metadata":{{metadata}},"messages":[{"role":"user","content":"Hi"}],"temperature":0}""");

        Assert.Equal(bypass, fingerprint.BypassRequested);
        Assert.Equal("Hi", fingerprint.LastUserText);
    }

    [Fact]
    public void ParametersAfterTheMetadataAreStillHashed()
    {
        var low = Of("""{"model":"auto","metadata":{"cache":false},"temperature":0,"messages":[{"role":"user","content":"Hi"}]}""");
        var high = Of("""{"model":"auto","metadata":{"cache":false},"temperature":0.9,"messages":[{"role":"user","content":"Hi"}]}""");

        Assert.NotEqual(low.ContextHash, high.ContextHash);
    }

    [Fact]
    public void NormaliseLowersCaseAndCollapsesWhiteSpace()
    {
        Assert.Equal("hello world", RequestFingerprint.Normalise("  Hello \t\n World  "));
        Assert.Equal("", RequestFingerprint.Normalise("   "));
    }
}
