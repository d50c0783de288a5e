namespace EdgeRouter.Tests.Tokenization;

/// <summary>
/// Every case of the fixtures files must give exactly the ids Hugging Face <c>tokenizers</c> gives:
/// <c>fixtures.jsonl</c> (the shared data set) and <c>extra-fixtures.jsonl</c> (edge cases, generated with the npm
/// <c>tokenizers</c> package, see its rows and Tools/gen_extra_fixtures.js).
/// </summary>
public class TokenizerFixtureTests
{
    public static TheoryData<string, int> SharedFixtures() => Cases("fixtures.jsonl");

    public static TheoryData<string, int> ExtraFixtures() => Cases("extra-fixtures.jsonl");

    private static TheoryData<string, int> Cases(string file)
    {
        var data = new TheoryData<string, int>();
        foreach (var fixture in TokenizerTestData.ReadFixtures(file))
        {
            data.Add(file, fixture.Line);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SharedFixtures))]
    [MemberData(nameof(ExtraFixtures))]
    public void EncodesLikeHuggingFace(string file, int line)
    {
        var fixture = TokenizerTestData.ReadFixtures(file).Single(f => f.Line == line);
        var tokenizer = TokenizerTestData.Get(fixture.Tokenizer);

        var ids = TokenizerTestData.Encode(tokenizer, fixture);

        Assert.Equal(fixture.Ids, ids);
    }

    [Fact]
    public void TheSharedFixturesAreAllThere()
    {
        var fixtures = TokenizerTestData.ReadFixtures("fixtures.jsonl");

        Assert.Equal(80, fixtures.Count);
        Assert.Equal(45, fixtures.Count(f => f.Tokenizer == "bert-uncased"));
        Assert.Equal(21, fixtures.Count(f => f.Tokenizer == "modernbert"));
        Assert.Equal(14, fixtures.Count(f => f.Tokenizer == "gpt-neox-20b"));
    }
}
