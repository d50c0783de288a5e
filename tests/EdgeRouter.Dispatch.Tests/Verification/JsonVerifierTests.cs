using EdgeRouter.Dispatch.Verification;

namespace EdgeRouter.Tests.Verification;

public class JsonVerifierTests
{
    private static readonly JsonVerifier Verifier = new();

    [Fact]
    public void RequestsWithoutAJsonResponseFormatPass()
    {
        Assert.True(Verifier.Check(TestAnswers.Answer("not json"), null, null).Passed);
        Assert.True(Verifier.Check(TestAnswers.Answer("not json"), "text", null).Passed);
    }

    [Theory]
    [InlineData("""{"a":1}""", true, "valid JSON object")]
    [InlineData("""[1,2]""", false, "JSON array, not an object")]
    [InlineData("""{"a": """, false, "invalid JSON: ")]
    public void JsonObjectAnswersMustParseAsAnObject(string content, bool passed, string reason)
    {
        var verdict = Verifier.Check(TestAnswers.Answer(content), "json_object", null);

        Assert.Equal(passed, verdict.Passed);
        Assert.StartsWith(reason, verdict.Reason, StringComparison.Ordinal);
        Assert.Equal("json", verdict.Verifier);
        Assert.Equal("p/cheap", verdict.Model);
    }

    [Fact]
    public void JsonSchemaAnswersMustConform()
    {
        var schema = JsonSchemaValidator.Parse("""{ "type": "object", "properties": { "n": { "type": "integer" } }, "required": ["n"] }""");

        Assert.Equal("matches schema 'count'", Verifier.Check(TestAnswers.Answer("""{"n":3}"""), "json_schema", schema, "count").Reason);
        var failed = Verifier.Check(TestAnswers.Answer("""{"n":"3"}"""), "json_schema", schema, "count");
        Assert.False(failed.Passed);
        Assert.Equal("schema: $.n: expected integer, got string", failed.Reason);
    }

    [Fact]
    public void ARefusalInsteadOfJsonFails()
    {
        var verdict = Verifier.Check(TestAnswers.Answer(null, refusal: "I can't"), "json_schema", null);

        Assert.False(verdict.Passed);
        Assert.Equal("refused instead of JSON", verdict.Reason);
    }
}
