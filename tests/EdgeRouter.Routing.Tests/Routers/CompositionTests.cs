using EdgeRouter.Tests.Rules;

namespace EdgeRouter.Tests.Routers;

public class CompositionTests
{
    private static List<string> Errors(string stages, string models = """["p/cheap", "p/strong"]""") =>
        [.. RouterConfig.Load("", models, stages).Errors.Select(e => e.ToString())];

    [Fact]
    public void RoutersFollowedByAStrategyAreValid() =>
        Assert.Empty(Errors("""{ "kind": "sticky" }, { "kind": "learned" }, { "kind": "test-strategy" }"""));

    [Fact]
    public void ARouterFollowedByAStageThatIgnoresItIsRejected() =>
        Assert.Contains("routes.auto.stages[1] ignores the distribution of routes.auto.stages[0] (learned): end a route that has routers with 'direct', 'cascade' or 'speculative'",
            Errors("""{ "kind": "learned" }, { "kind": "static", "target": "p/cheap" }"""));

    [Fact]
    public void ARouterAfterTheStrategyCanNeverRun() =>
        Assert.Contains("routes.auto.stages[1] can never run: routes.auto.stages[0] (test-strategy) always decides or responds",
            Errors("""{ "kind": "test-strategy" }, { "kind": "learned" }"""));

    [Fact]
    public void RoutersWithoutAnyDecidingStageAreRejected() =>
        Assert.Contains("routes.auto.stages must end with a stage that always decides (static, weighted, fallback, direct, cascade or speculative)",
            Errors("""{ "kind": "learned" }"""));

    [Fact]
    public void AStrategyNeedsTheRoutesModels() =>
        Assert.Contains(Errors("""{ "kind": "test-strategy" }""", "[]"), e => e.StartsWith("routes.auto.models must list the models", StringComparison.Ordinal));

    [Fact]
    public void RouteModelsMustBeDistinctChatModels() =>
        Assert.Equal([
            "routes.auto.models[1] 'p/cheap' is listed twice",
            "routes.auto.models[2] 'p/e' is an embedding model, not a chat model",
        ], Errors("""{ "kind": "test-strategy" }""", """["p/cheap", "cheap", "p/e"]"""));

    [Fact]
    public void ModelsOutsideTheRouteAreRejected() =>
        Assert.Contains("routes.auto.stages[0].strong 'p/mid' is not among the route's models (p/cheap, p/strong)",
            Errors("""{ "kind": "learned", "strong": "p/mid" }, { "kind": "test-strategy" }"""));

    [Fact]
    public void AMixtureValidatesEveryMemberAndWeight()
    {
        var errors = Errors("""
            { "kind": "mor",
              "routers": [ { "name": "accuracy", "kind": "learned", "threshold": 3 }, { "kind": "cost", "qualityFloor": 0.8 }, { "kind": "rules" } ],
              "weights": { "fast": { "accuracy": -1, "nobody": 1 } },
              "classes": { "tenants": { "acme": "gold" } },
              "feedback": { "cut": 1 } },
            { "kind": "test-strategy" }
            """);

        Assert.Equal([
            "routes.auto.stages[0].routers[0].threshold must be in [0, 1], got 3",
            "routes.auto.stages[0].routers[1].quality has no calibration for route model 'p/cheap' (add {\"intercept\": …, \"slope\": …}; see edgerouter calibrate --quality)",
            "routes.auto.stages[0].routers[1].quality has no calibration for route model 'p/strong' (add {\"intercept\": …, \"slope\": …}; see edgerouter calibrate --quality)",
            "routes.auto.stages[0].routers[2].kind 'rules' cannot be mixed; mixable kinds: learned, cost, latency",
            "routes.auto.stages[0].weights must define the class 'default'",
            "routes.auto.stages[0].weights.fast.accuracy must be >= 0, got -1",
            "routes.auto.stages[0].weights.fast.nobody names no router of this mixture (accuracy, cost, rules)",
            "routes.auto.stages[0].classes.tenants.acme 'gold' is not a class under weights",
            "routes.auto.stages[0].feedback.cut must be in [0, 1), got 1",
        ], errors);
    }
}
