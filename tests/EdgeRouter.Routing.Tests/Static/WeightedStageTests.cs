using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;
using EdgeRouter.Protocol;
using EdgeRouter.Routing.Static;
using Microsoft.AspNetCore.Http;

namespace EdgeRouter.Tests.Static;

public class WeightedStageTests
{
    private static readonly ModelTarget Cheap = new("p/cheap", "p", new ModelConfig { Name = "cheap" });
    private static readonly ModelTarget Strong = new("p/strong", "p", new ModelConfig { Name = "strong" });
    private static readonly ModelTarget Other = new("q/other", "q", new ModelConfig { Name = "other" });

    private static RequestContext Context() => new("req", "auto",
        ChatRequestParser.Parse("""{"model":"auto","messages":[{"role":"user","content":"x"}]}"""u8.ToArray(), out _)!, new HeaderDictionary());

    [Fact]
    public async Task DrawsModelsInProportionToTheirWeights()
    {
        var stage = new WeightedStage([(Cheap, 3), (Strong, 1)], fallbackToOthers: false, new Random(42));
        var counts = new Dictionary<string, int>();

        for (var i = 0; i < 40_000; i++)
        {
            var outcome = await stage.InvokeAsync(Context(), default);
            var id = Assert.Single(outcome.Decision!.Candidates).Id;
            counts[id] = counts.GetValueOrDefault(id) + 1;
        }

        Assert.InRange(counts["p/cheap"] / 40_000.0, 0.74, 0.76);
        Assert.InRange(counts["p/strong"] / 40_000.0, 0.24, 0.26);
    }

    [Fact]
    public async Task TheOthersFollowTheDrawnModelHeaviestFirst()
    {
        var stage = new WeightedStage([(Other, 1), (Cheap, 5), (Strong, 2)], fallbackToOthers: true, new Random(1));

        for (var i = 0; i < 200; i++)
        {
            var decision = (await stage.InvokeAsync(Context(), default)).Decision!;
            var rest = decision.Candidates.Skip(1).ToList();
            var expected = new[] { Cheap, Strong, Other }.Where(t => t != decision.Candidates[0]).ToList();
            Assert.Equal(expected, rest);
        }
    }

    [Fact]
    public async Task TheDrawIsRecordedInTheTrace()
    {
        var stage = new WeightedStage([(Cheap, 1)], fallbackToOthers: true, new Random(1));
        var context = Context();

        await stage.InvokeAsync(context, default);

        Assert.Equal("weighted: drew p/cheap (100% of traffic)", context.Trace.ToString());
    }
}
