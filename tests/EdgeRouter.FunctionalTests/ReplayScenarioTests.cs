using System.Text.Json.Nodes;
using EdgeRouter.Cli;
using EdgeRouter.Configuration;
using EdgeRouter.Hosting;
using EdgeRouter.Pipeline;
using EdgeRouter.Replay;

namespace EdgeRouter.FunctionalTests;

/// <summary>The replay's gateway is built from the learned router the embedded default ships, and is a valid config.</summary>
public sealed class ReplayScenarioTests
{
    [Fact]
    public void TheDefaultLearnedStageIsTheRaceRoutesWithItsCombiner()
    {
        var stage = JsonNode.Parse(ReplayCommand.DefaultLearnedStage())!;

        Assert.Equal("learned", stage["kind"]!.GetValue<string>());
        Assert.InRange(stage["threshold"]!.GetValue<double>(), 0.01, 0.99);
        Assert.NotNull(stage["combine"]?["logTokens"]);
    }

    [Fact]
    public void TheReplayGatewayConfigIsValidAndEveryLearnedRouterIsTheGivenStage()
    {
        var settings = new ReplaySettings
        {
            LearnedStage = ReplayCommand.DefaultLearnedStage(),
            LearnedSource = "test",
            CostRouter = ReplayCommand.DefaultCostRouter(),
            ModelsDirectory = "/models",
            CacheDirectory = "/tmp/edgerouter-replay-test",
        };

        var json = ReplayScenario.GatewayConfig(new Uri("http://127.0.0.1:9/v1/"), settings);
        var result = ConfigLoader.Load(System.Text.Encoding.UTF8.GetBytes(json), new StageRegistry(StageKinds.BuiltIn), _ => null);

        Assert.True(result.IsValid, string.Join("\n", result.IsValid ? [] : result.Errors.Select(e => e.ToString())));
        var routes = JsonNode.Parse(json)!["routes"]!;
        var expected = JsonNode.Parse(settings.LearnedStage)!;
        var learned = routes["learned"]!["stages"]![0]!;
        Assert.True(JsonNode.DeepEquals(expected, learned));
        var member = routes["mor"]!["stages"]![0]!["routers"]![0]!.AsObject();
        Assert.Equal("accuracy", member["name"]!.GetValue<string>());
        member.Remove("name");
        Assert.True(JsonNode.DeepEquals(expected, member));
    }
}
