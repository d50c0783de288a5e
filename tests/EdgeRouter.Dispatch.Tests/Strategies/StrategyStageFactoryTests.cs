using System.Text;
using EdgeRouter.Configuration;
using EdgeRouter.Dispatch;
using EdgeRouter.Pipeline;

namespace EdgeRouter.Tests.Strategies;

public class StrategyStageFactoryTests
{
    private static readonly StageRegistry Registry = new(DispatchStages.Factories);

    private static ConfigLoadResult Load(string stages, string models = """["p/a", "p/b"]""") => ConfigLoader.Load(Encoding.UTF8.GetBytes($$"""
        {
          "providers": [ { "name": "p", "baseUrl": "http://127.0.0.1:1/v1",
                           "models": [ { "name": "a" }, { "name": "b" }, { "name": "c" }, { "name": "e", "kind": "embedding" } ] } ],
          "routes": { "auto": { "models": {{models}}, "stages": [ {{stages}} ] } }
        }
        """), Registry, _ => null);

    [Theory]
    [InlineData("""{ "kind": "direct" }""")]
    [InlineData("""{ "kind": "cascade", "verifiers": [ { "kind": "refusal" }, { "kind": "json" } ] }""")]
    [InlineData("""{ "kind": "cascade", "tiers": ["p/b"], "verifiers": [ { "kind": "judge", "model": "p/c", "minScore": 8, "rubric": "Be strict.", "onError": "pass" } ], "latencyBudgetMs": 5000, "escalateOnError": false, "streamKeepAliveMs": 0 }""")]
    [InlineData("""{ "kind": "speculative" }""")]
    [InlineData("""{ "kind": "speculative", "mode": "adaptive", "band": [0, 0.3], "verifiers": [ { "kind": "consistency", "shortAnswerWords": 20 }, { "kind": "refusal", "phrases": ["nope"] } ] }""")]
    public void ValidStrategiesBind(string stage)
    {
        var result = Load(stage);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
    }

    [Fact]
    public void EveryCascadeProblemIsReportedWithItsPath()
    {
        var result = Load("""
            { "kind": "cascade", "tiers": ["p/c", "p/a", "p/a", "p/e", "zz"], "latencyBudgetMs": 0, "streamKeepAliveMs": -1,
              "verifiers": [ { "kind": "judge" }, { "kind": "judge", "model": "p/a", "minScore": 11, "phrases": ["x"] }, { "kind": "magic" },
                             { "kind": "refusal", "onError": "pass" }, { "kind": "consistency", "onError": "maybe", "shortAnswerWords": 0 } ] }
            """);

        Assert.Equal([
            "routes.auto.stages[0].verifiers[0].model must name the judge model (provider/model)",
            "routes.auto.stages[0].verifiers[1].phrases applies only to 'refusal', not 'judge'",
            "routes.auto.stages[0].verifiers[1].minScore must be in [1, 10], got 11",
            "routes.auto.stages[0].verifiers[2].kind 'magic' is not a verifier; known verifiers: consistency, json, judge, refusal",
            "routes.auto.stages[0].verifiers[3].onError applies only to 'judge' and 'consistency', not 'refusal'",
            "routes.auto.stages[0].verifiers[4].onError must be 'fail' or 'pass', got 'maybe'",
            "routes.auto.stages[0].verifiers[4].shortAnswerWords must be > 0, got 0",
            "routes.auto.stages[0].tiers[0] 'p/c' is not one of the route's models (routes.auto.models)",
            "routes.auto.stages[0].tiers[2] 'p/a' is listed twice",
            "routes.auto.stages[0].tiers[3] 'p/e' is an embedding model, not a chat model",
            "routes.auto.stages[0].tiers[4] 'zz' is not a configured model (write provider/model)",
            "routes.auto.stages[0].latencyBudgetMs must be > 0, got 0",
            "routes.auto.stages[0].streamKeepAliveMs must be >= 0 (0 disables), got -1",
        ], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void ACascadeWithoutVerifiersIsRejected() =>
        Assert.Equal(
            "routes.auto.stages[0].verifiers must list at least one verifier (consistency, json, judge, refusal): without checks a cascade never escalates",
            Assert.Single(Load("""{ "kind": "cascade" }""").Errors).ToString());

    [Theory]
    [InlineData("""{ "kind": "speculative", "mode": "sometimes" }""", "routes.auto.stages[0].mode must be 'race' or 'adaptive', got 'sometimes'")]
    [InlineData("""{ "kind": "speculative", "mode": "adaptive" }""", "routes.auto.stages[0].band is required in adaptive mode: [lo, hi] on the routers' confidence, e.g. [0, 0.3]")]
    [InlineData("""{ "kind": "speculative", "band": [0, 0.3] }""", "routes.auto.stages[0].band applies only when mode is 'adaptive'")]
    [InlineData("""{ "kind": "speculative", "mode": "adaptive", "band": [0.5] }""", "routes.auto.stages[0].band must be [lo, hi], got 1 numbers")]
    [InlineData("""{ "kind": "speculative", "mode": "adaptive", "band": [0.5, 0.2] }""", "routes.auto.stages[0].band lo must be <= hi, got [0.5, 0.2]")]
    [InlineData("""{ "kind": "speculative", "mode": "adaptive", "band": [0, 2] }""", "routes.auto.stages[0].band[1] must be in [-1, 1] (a confidence margin), got 2")]
    [InlineData("""{ "kind": "speculative", "verifiers": [ { "kind": "judge", "model": "p/e" } ] }""", "routes.auto.stages[0].verifiers[0].model 'p/e' is an embedding model, not a chat model")]
    [InlineData("""{ "kind": "direct", "mode": "race" }""", "routes.auto.stages[0].mode is invalid")]
    public void BadSpeculativeAndDirectSettingsAreReported(string stage, string expected) =>
        Assert.StartsWith(expected, Assert.Single(Load(stage).Errors).ToString(), StringComparison.Ordinal);

    [Fact]
    public void AStrategyNeedsTheRouteModels() =>
        Assert.Contains(Load("""{ "kind": "direct" }""", models: "[]").Errors, e => e.Path == "routes.auto.models");
}
