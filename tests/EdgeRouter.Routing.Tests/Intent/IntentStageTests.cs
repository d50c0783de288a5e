using EdgeRouter.Routing.Intent;
using EdgeRouter.Tests.Routers;
using EdgeRouter.Tests.Rules;

namespace EdgeRouter.Tests.Intent;

public class IntentStageTests
{
    private const string Stage = """
        { "kind": "intent", "intents": [
          { "name": "greeting", "examples": ["hello there", "hi how are you"], "threshold": 0.8, "model": "p/cheap" },
          { "name": "math", "examples": ["solve this integral", "prove the theorem"], "threshold": 0.8 } ] }
        """;

    private static IntentStage Build()
    {
        var result = RouterConfig.Load(Stage);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var bound = result.Value.RouteStages["auto"][0];
        return (IntentStage)bound.Factory.Create(bound.Settings, RoutingKit.Services());
    }

    [Fact]
    public void ARecognisedIntentWithAModelPinsIt()
    {
        var context = RoutingKit.Context("hello there");

        Build().InvokeAsync(context, default);

        Assert.True(context.Routing.Pinned);
        Assert.Equal("p/cheap", context.Routing.Chosen!.Id);
        Assert.Equal("greeting", context.Routing.Intent);
    }

    [Fact]
    public void ARecognisedIntentWithoutAModelOnlyLabelsTheRequest()
    {
        var context = RoutingKit.Context("prove the theorem");

        Build().InvokeAsync(context, default);

        Assert.False(context.Routing.Pinned);
        Assert.Equal("math", context.Routing.Intent);
    }

    [Fact]
    public void APromptBelowEveryThresholdContinuesUnlabelled()
    {
        var context = RoutingKit.Context("book a flight to paris tomorrow");

        Build().InvokeAsync(context, default);

        Assert.Null(context.Routing.Intent);
        Assert.False(context.Routing.Pinned);
        Assert.StartsWith("intent: none: best", context.Trace.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ScoresAreTheNearestExamplesCosine()
    {
        var scores = Build().Matcher.Scores(Routing.Routers.PromptFeatures.OfText("solve this integral"));

        Assert.Equal(1f, scores[1], 4);
        Assert.True(scores[0] < 0.8f);
    }

    [Fact]
    public void BadIntentsAreAllReported()
    {
        var result = RouterConfig.Load("""
            { "kind": "intent", "encoder": "nope", "intents": [
              { "name": "a", "examples": [], "threshold": 2 }, { "name": "a", "examples": [" "], "model": "p/zz" } ] }
            """);

        Assert.Equal([
            "routes.auto.stages[0].encoder 'nope' is not an encoder under inference.encoders",
            "routes.auto.stages[0].intents[0].examples must list at least one example utterance",
            "routes.auto.stages[0].intents[0].threshold must be in [-1, 1], got 2",
            "routes.auto.stages[0].intents[1].name 'a' is defined twice",
            "routes.auto.stages[0].intents[1].examples[0] must not be empty",
            "routes.auto.stages[0].intents[1].model 'p/zz' is not a configured model (write provider/model)",
        ], result.Errors.Select(e => e.ToString()));
    }
}
