using System.Text.Json;
using EdgeRouter.Dispatch.Verification;
using EdgeRouter.Protocol;

namespace EdgeRouter.Tests.Verification;

public class JudgeScoreTests
{
    [Theory]
    [InlineData("Score: 8", 8)]
    [InlineData("**Score:** 7/10", 7)]
    [InlineData("score = 9", 9)]
    [InlineData("Rating - 6.5", 6.5)]
    [InlineData("The answer is mostly right. I'd give it 6 out of 10.", 6)]
    [InlineData("8/10", 8)]
    [InlineData(" 10 ", 10)]
    [InlineData("First I thought score: 3, but on reflection the final score is 5.", 5)]
    public void ScoresAreReadFromHowJudgesReply(string reply, double expected) => Assert.Equal(expected, JudgeScore.Parse(reply));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("The answer looks fine.")]
    [InlineData("Score: 0")]
    [InlineData("Score: 11")]
    [InlineData("1. Accuracy is good 2. Style is good")]
    public void RepliesWithoutAScoreInRangeHaveNone(string? reply) => Assert.Null(JudgeScore.Parse(reply));

    [Fact]
    public void TheJudgePromptIsAValidChatRequestWithTaggedQuestionAndAnswer()
    {
        var body = JudgePrompt.Build(null, "What is 2+2?", "4");

        var request = ChatRequestParser.Parse(body, out var error);
        Assert.Null(error);
        Assert.NotNull(request);
        Assert.False(request.Stream);
        using var document = JsonDocument.Parse(body);
        var messages = document.RootElement.GetProperty("messages");
        Assert.Contains(JudgePrompt.DefaultRubric, messages[0].GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Equal("<question>\nWhat is 2+2?\n</question>\n<answer>\n4\n</answer>", messages[1].GetProperty("content").GetString());
        Assert.Equal(["model", "messages"], document.RootElement.EnumerateObject().Select(p => p.Name));
    }
}
