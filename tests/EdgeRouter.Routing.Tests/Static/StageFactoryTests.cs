using System.Text;
using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;
using EdgeRouter.Routing;

namespace EdgeRouter.Tests.Static;

public class StageFactoryTests
{
    private static readonly StageRegistry Registry = new(RoutingStages.Factories);

    private static ConfigLoadResult Load(string stages) => ConfigLoader.Load(Encoding.UTF8.GetBytes($$"""
        {
          "providers": [ { "name": "p", "baseUrl": "http://127.0.0.1:1/v1", "models": [ { "name": "a" }, { "name": "b" }, { "name": "e", "kind": "embedding" } ] } ],
          "routes": { "auto": { "stages": [ {{stages}} ] } }
        }
        """), Registry, _ => null);

    [Fact]
    public void BuiltInStagesBindAndBuild()
    {
        var result = Load("""{ "kind": "weighted", "targets": [ { "model": "p/a", "weight": 2 }, { "model": "b" } ], "fallbackToOthers": false }""");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var bound = Assert.Single(result.Value.RouteStages["auto"]);
        Assert.Equal("weighted", bound.Factory.Create(bound.Settings, new StageServices(result.Value.Catalog, NoLocalModels.Instance)).Kind);
    }

    [Fact]
    public void WeightedTargetsAreValidatedWithTheirPaths()
    {
        var result = Load("""{ "kind": "weighted", "targets": [ { "model": "p/a", "weight": 0 }, { "model": "p/e", "weight": -1 }, { "model": "zz" } ] }""");

        Assert.Equal([
            "routes.auto.stages[0].targets[0].weight must be > 0, got 0",
            "routes.auto.stages[0].targets[1].model 'p/e' is an embedding model, not a chat model",
            "routes.auto.stages[0].targets[1].weight must be > 0, got -1",
            "routes.auto.stages[0].targets[2].model 'zz' is not a configured model (write provider/model)",
        ], result.Errors.Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("""{ "kind": "static" }""", "routes.auto.stages[0].target '' is not a configured model (write provider/model)")]
    [InlineData("""{ "kind": "fallback", "targets": [] }""", "routes.auto.stages[0].targets must list at least one model")]
    [InlineData("""{ "kind": "fallback", "targets": ["p/a", 3] }""", "routes.auto.stages[0].targets[1] is invalid")]
    [InlineData("""{ "kind": "static", "target": "p/a", "weight": 2 }""", "routes.auto.stages[0].weight is invalid")]
    public void BadStageSettingsAreReported(string stage, string expectedStart)
    {
        var error = Assert.Single(Load(stage).Errors).ToString();

        Assert.StartsWith(expectedStart, error, StringComparison.Ordinal);
    }
}
