using EdgeRouter.Routing.Learned;

namespace EdgeRouter.Tests.Learned;

public class LearnedRouterSettingsFileTests
{
    [Fact]
    public void ParsesAStageObjectWithItsCombinerAndWritesItBack()
    {
        const string Json = """{"kind":"learned","classifier":"router","threshold":0.41,"combine":{"head":1.2,"logTokens":0.3,"bias":-2.5}}""";

        var settings = LearnedRouterSettingsFile.Parse(Json);

        Assert.Equal(0.41, settings.Threshold);
        Assert.Equal(new LearnedCombineSettings { Head = 1.2, LogTokens = 0.3, Bias = -2.5 }, settings.Combine);
        Assert.Equal(settings, LearnedRouterSettingsFile.Parse(LearnedRouterSettingsFile.ToStageJson(settings)));
        Assert.StartsWith("""{"kind":"learned",""", LearnedRouterSettingsFile.ToStageJson(settings), StringComparison.Ordinal);
    }

    [Fact]
    public void TheKindIsOptionalAndCombineDefaultsToNone()
    {
        var settings = LearnedRouterSettingsFile.Parse("""{ "threshold": 0.3, /* a comment */ }""");

        Assert.Null(settings.Combine);
        Assert.Equal("needs_strong", settings.Label);
        Assert.DoesNotContain("combine", LearnedRouterSettingsFile.ToStageJson(settings), StringComparison.Ordinal);
    }

    [Fact]
    public void MissingCombinerCoefficientsTakeTheIdentityDefaults()
    {
        var combine = LearnedRouterSettingsFile.Parse("""{"combine":{"logTokens":0.5}}""").Combine!;

        Assert.Equal(1, combine.Head);
        Assert.Equal(0.5, combine.LogTokens);
        Assert.Equal(0, combine.Bias);
    }

    [Theory]
    [InlineData("""{"kind":"cost"}""", "kind must be 'learned'")]
    [InlineData("""{"threshold":1.5}""", "threshold must be in [0, 1]")]
    [InlineData("""{"combine":{"head":1,"tokens":2}}""", "tokens")]
    [InlineData("""[1, 2]""", "must be a JSON object")]
    [InlineData("""{"threshold":""", "file.json")]
    public void RejectsWhatTheGatewayWouldRejectNamingTheProblem(string json, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => LearnedRouterSettingsFile.Parse(json, "file.json"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
