using System.Text;
using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;
using EdgeRouter.Routing;
using EdgeRouter.Tests.Routers;

namespace EdgeRouter.Tests.Rules;

public class RulesStageTests
{
    private static IRouteStage Build(string rules)
    {
        var result = RouterConfig.Load($$"""{ "kind": "rules", "rules": {{rules}} }""");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var bound = result.Value.RouteStages["auto"][0];
        return bound.Factory.Create(bound.Settings, RoutingKit.Services());
    }

    private static string? Pinned(IRouteStage stage, RequestContext context)
    {
        var outcome = stage.InvokeAsync(context, default).Result;
        Assert.Equal(StageOutcomeKind.Continue, outcome.Kind);
        return context.Routing.Pinned ? context.Routing.Chosen!.Id : null;
    }

    [Theory]
    [InlineData("""{ "regex": "(?i)\\bprove\\b" }""", "Prove that 2 is prime", true)]
    [InlineData("""{ "regex": "(?i)\\bprove\\b" }""", "improve my essay", false)]
    [InlineData("""{ "keywords": ["refund", "chargeback"] }""", "I want a REFUND now", true)]
    [InlineData("""{ "keywords": ["refund"] }""", "refunds are", false)]
    [InlineData("""{ "minTokens": 10 }""", "short", false)]
    [InlineData("""{ "minTokens": 10 }""", "a prompt that is clearly longer than forty bytes of text", true)]
    [InlineData("""{ "maxTokens": 2 }""", "hi", true)]
    public void TextConditionsMatchTheLastUserMessage(string when, string prompt, bool matches)
    {
        var stage = Build($$"""[ { "name": "r", "when": {{when}}, "model": "p/strong" } ]""");

        Assert.Equal(matches ? "p/strong" : null, Pinned(stage, RoutingKit.Context(prompt)));
    }

    [Fact]
    public void RequestShapeConditionsReadToolsImagesAndResponseFormat()
    {
        var stage = Build("""
            [ { "name": "tools", "when": { "tools": true }, "model": "p/strong" },
              { "name": "json", "when": { "responseFormat": "json" }, "model": "p/mid" } ]
            """);
        const string Tools = ""","tools":[{"type":"function","function":{"name":"f","parameters":{}}}]""";
        const string Json = ""","response_format":{"type":"json_object"}""";

        Assert.Equal("p/strong", Pinned(stage, RoutingKit.Context("x", extraBody: Tools)));
        Assert.Equal("p/mid", Pinned(stage, RoutingKit.Context("x", extraBody: Json)));
        Assert.Null(Pinned(stage, RoutingKit.Context("x")));
    }

    [Fact]
    public void HeaderTenantAndMetadataConditionsAllMustHold()
    {
        var stage = Build("""
            [ { "name": "gold", "when": { "header": { "name": "x-plan", "equals": "gold" }, "tenants": ["acme"], "metadata": { "tier": "vip" } },
                "model": "p/strong" } ]
            """);
        var headers = new Dictionary<string, string> { ["x-plan"] = "GOLD" };
        const string Metadata = ""","metadata":{"tier":"vip"}""";

        Assert.Equal("p/strong", Pinned(stage, RoutingKit.Context("x", tenant: "acme", headers: headers, extraBody: Metadata)));
        Assert.Null(Pinned(stage, RoutingKit.Context("x", tenant: "other", headers: headers, extraBody: Metadata)));
        Assert.Null(Pinned(stage, RoutingKit.Context("x", tenant: "acme", extraBody: Metadata)));
        Assert.Null(Pinned(stage, RoutingKit.Context("x", tenant: "acme", headers: headers)));
    }

    [Fact]
    public void TheFirstMatchingRuleWinsAndItsReasonIsTraced()
    {
        var stage = Build("""
            [ { "name": "math", "when": { "keywords": ["integral"] }, "model": "p/strong" },
              { "name": "all", "model": "p/cheap" } ]
            """);
        var context = RoutingKit.Context("solve this integral");

        Assert.Equal("p/strong", Pinned(stage, context));
        Assert.Contains("math → p/strong (keyword 'integral')", context.Trace.ToString(), StringComparison.Ordinal);
        Assert.Equal("p/cheap", Pinned(stage, RoutingKit.Context("hello")));
    }

    [Fact]
    public void APatternThatWouldBacktrackIsStillLinearTime()
    {
        var stage = Build("""[ { "when": { "regex": "(a+)+$" }, "model": "p/strong" } ]""");
        var evil = new string('a', 50_000) + "!";

        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Null(Pinned(stage, RoutingKit.Context(evil)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public void BadRulesAreAllReportedWithTheirPaths()
    {
        var result = RouterConfig.Load("""
            { "kind": "rules", "rules": [
              { "when": { "regex": "(unclosed" }, "model": "p/strong" },
              { "when": { "regex": "(?<=x)y" }, "model": "p/e" },
              { "when": { "minTokens": 5, "maxTokens": 2, "responseFormat": "yaml" }, "model": "" } ] }
            """);

        var errors = result.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("routes.auto.stages[0].rules[0].when.regex is not a usable pattern", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("routes.auto.stages[0].rules[1].model 'p/e' is an embedding model", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("routes.auto.stages[0].rules[1].when.regex is not a usable pattern", StringComparison.Ordinal));
        Assert.Contains("routes.auto.stages[0].rules[2].model must name the model the rule sends requests to", errors);
        Assert.Contains("routes.auto.stages[0].rules[2].when.maxTokens must be >= minTokens (5), got 2", errors);
        Assert.Contains(errors, e => e.StartsWith("routes.auto.stages[0].rules[2].when.responseFormat must be 'text'", StringComparison.Ordinal));
    }
}

/// <summary>Loads a route <c>auto</c> over the kit's models with the given router stage followed by a strategy.</summary>
internal static class RouterConfig
{
    public static readonly StageRegistry Registry = new(RoutingStages.Factories.Append(new TestStrategyFactory()));

    public static ConfigLoadResult Load(string router, string models = """["p/cheap", "p/mid", "p/strong"]""", string? stages = null) =>
        ConfigLoader.Load(Encoding.UTF8.GetBytes($$"""
            { {{RoutingKit.Providers}},
              "routes": { "auto": { "models": {{models}}, "stages": [ {{stages ?? router + """, { "kind": "test-strategy" }"""}} ] } } }
            """), Registry, _ => null);
}

/// <summary>A strategy stage for tests: dispatches by the routers' choice.</summary>
internal sealed class TestStrategyFactory : IStageFactory
{
    public string Kind => "test-strategy";

    public StageTermination Termination => StageTermination.Always;

    public StageRole Role => StageRole.Strategy;

    public object? Bind(StageBindingContext context) => new object();

    public IRouteStage Create(object settings, StageServices services) => throw new NotSupportedException();
}
