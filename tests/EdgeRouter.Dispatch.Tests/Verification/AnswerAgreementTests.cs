using EdgeRouter.Dispatch.Verification;

namespace EdgeRouter.Tests.Verification;

public class AnswerAgreementTests
{
    [Theory]
    [InlineData("The answer is 42.", "42")]
    [InlineData("Final answer: **B**", "b")]
    [InlineData("Answer: (C) because of the heat", "c")]
    [InlineData("So the result is \\boxed{17}", "17")]
    [InlineData("(D) The mitochondria", "d")]
    [InlineData("B. It rains", "b")]
    [InlineData("A", "a")]
    [InlineData("It costs 1,000.50 dollars", "1000.5")]
    [InlineData("Total: 12.0", "12")]
    [InlineData("Answer: Paris", "paris")]
    [InlineData("Paris", "paris")]
    [InlineData("The capital is Paris", null)]
    [InlineData("A dog barked at the cat", null)]
    public void FinalAnswersAreExtractedAndNormalised(string text, string? expected) =>
        Assert.Equal(expected, AnswerAgreement.FinalAnswer(text));

    [Theory]
    [InlineData("Paris.", "  paris ", true, "samples agree (same text)")]
    [InlineData("The answer is 42.", "After checking, the answer is 42", true, "samples agree on '42'")]
    [InlineData("The answer is 41.", "The answer is 42.", false, "samples disagree: '41' vs '42'")]
    [InlineData("The capital is Paris", "Paris is the capital", false, "samples differ (no final answer to compare)")]
    public void SamplesAgreeOnTheSameTextOrTheSameFinalAnswer(string first, string second, bool agree, string reason)
    {
        Assert.Equal((agree, reason), AnswerAgreement.Compare(first, second));
    }

    [Fact]
    public void LongAnswersMustMatchWordForWord()
    {
        var first = string.Join(' ', Enumerable.Repeat("word", 70)) + " so 3";
        var second = string.Join(' ', Enumerable.Repeat("word", 71)) + " so 3";

        Assert.Equal((false, "samples differ (long answers)"), AnswerAgreement.Compare(first, second));
    }
}
