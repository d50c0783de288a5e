using System.Text;
using EdgeRouter.Routing.Costs;

namespace EdgeRouter.Tests.Costs;

public class CostScenarioValidatorTests
{
    private const string Base = """
        "requestsPerMonth": 1000, "inputTokensPerRequest": 800, "outputTokensPerRequest": 400,
        "mix": { "trivial": 0.6, "mid": 0.4 },
        "prices": { "cheap": { "inputPricePerMillion": 0.14, "outputPricePerMillion": 0.28 }, "strong": { "inputPricePerMillion": 5, "outputPricePerMillion": 15 } }
        """;

    private static List<string> Errors(string json) =>
        CostScenarioLoader.Load(Encoding.UTF8.GetBytes(json)).Errors.Select(e => e.ToString()).ToList();

    private static List<string> StrategyErrors(string strategies) => Errors($$"""{ {{Base}}, "strategies": [ {{strategies}} ] }""");

    [Fact]
    public void AValidScenarioHasNoErrors()
    {
        Assert.Empty(StrategyErrors("""{ "kind": "static", "model": "cheap" }"""));
    }

    [Fact]
    public void EveryProblemIsListedWithItsPath()
    {
        var errors = Errors("""
            {
              "requestsPerMonth": 0, "outputTokensPerRequest": -1,
              "mix": { "trivial": 1.2, "mid": 0.3 },
              "tokensByClass": { "hard": { "inputTokensPerRequest": -5 } },
              "prices": { "cheap": { "inputPricePerMillion": -0.14, "outputPricePerMillion": 0.28 }, "strong": { "outputPricePerMillion": 15 } },
              "strategies": [
                { "kind": "static", "model": "flagship", "tiers": ["cheap"] },
                { "kind": "cascade", "tiers": ["cheap", "strong"], "verifierCost": -1, "escalation": [1.25, 0.3], "escalationByClass": { "hard": [0.5] } },
                { "kind": "routed", "routerOverhead": -0.1, "distribution": { "trivial": { "cheap": 0.9, "strong-alt": 0.05 } }, "cache": { "costPerHit": -1 } },
                { "kind": "magic" },
                { "name": "", "model": "cheap" }
              ]
            }
            """);

        Assert.Equal([
            "requestsPerMonth must be in [1, 1000000000000], got 0",
            "inputTokensPerRequest is required",
            "outputTokensPerRequest must be >= 0, got -1",
            "mix.trivial must be in [0,1], got 1.2",
            "mix shares must sum to 1, got 1.5",
            "tokensByClass.hard 'hard' is not a traffic class of mix",
            "tokensByClass.hard.inputTokensPerRequest must be >= 0, got -5",
            "prices.cheap.inputPricePerMillion must be >= 0, got -0.14",
            "prices.strong.inputPricePerMillion is required",
            "strategies[0].model 'flagship' is not a model of the price table",
            "strategies[0].tiers is not a setting of a static strategy",
            "strategies[1].verifierCost must be >= 0, got -1",
            "strategies[1].escalation must have 1 rate(s), one per tier but the last, got 2",
            "strategies[1].escalation[0] must be in [0,1], got 1.25",
            "strategies[1].escalationByClass.hard 'hard' is not a traffic class of mix",
            "strategies[2].distribution.mid is missing: every traffic class of mix needs a distribution",
            "strategies[2].distribution.trivial shares must sum to 1, got 0.95",
            "strategies[2].distribution.trivial.strong-alt 'strong-alt' is not a model of the price table",
            "strategies[2].routerOverhead must be >= 0, got -0.1",
            "strategies[2].cache.hitRate is required",
            "strategies[2].cache.costPerHit must be >= 0, got -1",
            "strategies[3].kind must be static, cascade or routed, got 'magic'",
            "strategies[4].name must not be empty (omit it for a generated name)",
            "strategies[4].kind is required (static, cascade or routed)",
        ], errors);
    }

    [Theory]
    [InlineData("""{ "kind": "cascade", "tiers": ["cheap"], "escalation": [] }""", "strategies[0].tiers must list at least two models, got 1")]
    [InlineData("""{ "kind": "cascade", "tiers": ["cheap", "strong"] }""", "strategies[0].escalation is required (one rate per tier but the last)")]
    [InlineData("""{ "kind": "cascade", "tiers": ["cheap", "strong"], "escalation": [-0.1] }""", "strategies[0].escalation[0] must be in [0,1], got -0.1")]
    [InlineData("""{ "kind": "cascade", "tiers": ["cheap", "strong"], "escalation": [0.5], "escalationByClass": { "mid": [0.5, 0.5] } }""", "strategies[0].escalationByClass.mid must have 1 rate(s), one per tier but the last, got 2")]
    [InlineData("""{ "kind": "cascade", "tiers": ["cheap", "gpt-9"], "escalation": [0.5] }""", "strategies[0].tiers[1] 'gpt-9' is not a model of the price table")]
    [InlineData("""{ "kind": "routed" }""", "strategies[0].distribution is required (for each traffic class, the share of each model)")]
    [InlineData("""{ "kind": "routed", "distribution": { "trivial": { "cheap": 1 }, "mid": { "cheap": 0.5, "strong": 0.4 } } }""", "strategies[0].distribution.mid shares must sum to 1, got 0.9")]
    [InlineData("""{ "kind": "routed", "distribution": { "trivial": { "cheap": 1 }, "mid": { "cheap": 1 }, "complex": { "cheap": 1 } } }""", "strategies[0].distribution.complex 'complex' is not a traffic class of mix")]
    [InlineData("""{ "kind": "static", "model": "cheap", "cache": { "hitRate": 1.5 } }""", "strategies[0].cache.hitRate must be in [0,1], got 1.5")]
    [InlineData("""{ "kind": "static", "model": "cheap", "routerOverhead": 0.1 }""", "strategies[0].routerOverhead is not a setting of a static strategy")]
    [InlineData("""{ "kind": "static", "model": "cheap" }, { "kind": "static", "model": "cheap" }""", "strategies[1].name 'static cheap' is already the name of strategies[0]")]
    public void BadStrategiesAreReported(string strategies, string expected)
    {
        Assert.Equal(expected, Assert.Single(StrategyErrors(strategies)));
    }

    [Fact]
    public void SharesMustSumToExactlyOne()
    {
        var errors = Errors("""{ "requestsPerMonth": 1, "inputTokensPerRequest": 1, "outputTokensPerRequest": 1, "mix": { "a": 0.3333, "b": 0.3333, "c": 0.3333 }, "prices": { "m": { "inputPricePerMillion": 1, "outputPricePerMillion": 1 } }, "strategies": [ { "kind": "static", "model": "m" } ] }""");

        Assert.Equal(["mix shares must sum to 1, got 0.9999"], errors);
    }

    [Fact]
    public void EmptySectionsAreReported()
    {
        Assert.Equal([
            "mix must list at least one traffic class",
            "prices must list at least one model",
            "strategies must list at least one strategy",
        ], Errors("""{ "requestsPerMonth": 1, "inputTokensPerRequest": 1, "outputTokensPerRequest": 1 }"""));
    }

    [Fact]
    public void NullsWhereObjectsBelongAreReportedNotThrown()
    {
        Assert.Equal([
            "tokensByClass.trivial must be an object, got null",
            "prices.cheap must be an object, got null",
            "strategies[0] must be an object, got null",
        ], Errors("""
            {
              "requestsPerMonth": 1, "inputTokensPerRequest": 1, "outputTokensPerRequest": 1, "mix": { "trivial": 1 },
              "tokensByClass": { "trivial": null },
              "prices": { "cheap": null, "m": { "inputPricePerMillion": 1, "outputPricePerMillion": 1 } },
              "strategies": [ null ]
            }
            """));
    }
}
