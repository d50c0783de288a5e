using EdgeRouter.Dispatch.Verification;

namespace EdgeRouter.Tests.Verification;

public class RefusalVerifierTests
{
    private static readonly RefusalVerifier Verifier = new(["computer says no"]);

    [Theory]
    [InlineData("I'm sorry, but I can't help with that.", "refusal phrase 'i can't help with that'")]
    [InlineData("I'm sorry, but I can't do it.", "refusal phrase 'i'm sorry, but i can't'")]
    [InlineData("I can\u2019t help with that request.", "refusal phrase 'i can't help with that'")]
    [InlineData("Sorry, I cannot do this.", "refusal phrase 'sorry, i cannot'")]
    [InlineData("As an AI language model, I cannot browse.", "refusal phrase 'as an ai language model, i cannot'")]
    [InlineData("Well... computer says no.", "refusal phrase 'computer says no'")]
    [InlineData("   ", "empty answer")]
    public void RefusalsAndEmptyAnswersFail(string content, string reason)
    {
        var verdict = Verifier.Check(TestAnswers.Answer(content));

        Assert.False(verdict.Passed);
        Assert.Equal(reason, verdict.Reason);
        Assert.Equal("refusal", verdict.Verifier);
    }

    [Fact]
    public void ARefusalFieldFails() =>
        Assert.Equal("refusal: I will not produce that.", Verifier.Check(TestAnswers.Answer(null, refusal: "I will not produce that.")).Reason);

    [Theory]
    [InlineData("length", "truncated (finish_reason=length)")]
    [InlineData("content_filter", "finish_reason=content_filter")]
    public void TruncatedAndFilteredAnswersFail(string finishReason, string reason)
    {
        var verdict = Verifier.Check(TestAnswers.Answer("Paris is the", finishReason));

        Assert.False(verdict.Passed);
        Assert.Equal(reason, verdict.Reason);
    }

    [Fact]
    public void ToolCallsWithoutContentPass() => Assert.True(Verifier.Check(TestAnswers.Answer(null, "tool_calls", toolCalls: true)).Passed);

    [Fact]
    public void APhraseLateInALongAnswerIsACaveatNotARefusal()
    {
        var answer = new string('x', RefusalVerifier.PhraseWindow) + " I can't help with that part, but here is the rest.";

        Assert.True(Verifier.Check(TestAnswers.Answer(answer)).Passed);
    }

    [Fact]
    public void AnOrdinaryAnswerPasses() => Assert.Equal("answered", Verifier.Check(TestAnswers.Answer("The capital of France is Paris.")).Reason);
}
