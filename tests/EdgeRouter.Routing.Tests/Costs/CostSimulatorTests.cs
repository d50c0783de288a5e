using System.Text;
using EdgeRouter.Routing.Costs;

namespace EdgeRouter.Tests.Costs;

public class CostSimulatorTests
{
    internal static CostScenario Scenario(string json)
    {
        var result = CostScenarioLoader.Load(Encoding.UTF8.GetBytes(json));
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Scenario;
    }

    // One million input tokens and no output per request: a model costs its input price per call.
    private const string TwoModels = """
        "requestsPerMonth": 100, "inputTokensPerRequest": 1000000, "outputTokensPerRequest": 0,
        "mix": { "a": 0.5, "b": 0.5 },
        "prices": { "small": { "inputPricePerMillion": 1, "outputPricePerMillion": 0 }, "large": { "inputPricePerMillion": 2, "outputPricePerMillion": 0 } }
        """;

    [Fact]
    public void AClassTokenOverrideReplacesOnlyTheCountsItGives()
    {
        var report = CostSimulator.Simulate(Scenario("""
            {
              "requestsPerMonth": 1000, "inputTokensPerRequest": 100, "outputTokensPerRequest": 50,
              "mix": { "a": 0.5, "b": 0.5 },
              "tokensByClass": { "b": { "inputTokensPerRequest": 300 } },
              "prices": { "m": { "inputPricePerMillion": 10, "outputPricePerMillion": 20 } },
              "strategies": [ { "kind": "static", "model": "m" } ]
            }
            """));

        var usage = Assert.Single(Assert.Single(report.Strategies).Models);
        // a: 500 × (100 × 10 + 50 × 20) / 1M = $1; b: 500 × (300 × 10 + 50 × 20) / 1M = $2.
        Assert.Equal(new ModelUsage("m", 1_000m, 200_000m, 50_000m, 3m), usage);
        Assert.Equal([(100m, 50m), (300m, 50m)], report.Classes.Select(c => (c.InputTokensPerRequest, c.OutputTokensPerRequest)));
    }

    [Fact]
    public void ACascadeEscalatesEachClassAtItsOwnRate()
    {
        var report = CostSimulator.Simulate(Scenario($$"""
            { {{TwoModels}},
              "strategies": [ { "kind": "cascade", "tiers": ["small", "large"], "verifierCost": 0.1,
                                "escalation": [0.5], "escalationByClass": { "b": [1] } } ] }
            """));

        var cascade = Assert.Single(report.Strategies);
        // a: 50 small, 50 verified, 25 large; b: 50 small, 50 verified, 50 large.
        Assert.Equal([("small", 100m, 100m), ("large", 75m, 150m)], cascade.Models.Select(m => (m.Model, m.Calls, m.Cost)));
        Assert.Equal(new VerifierUsage(100m, 10m), cascade.Verifier);
        Assert.Equal(260m, cascade.MonthlyCost);
        Assert.Equal("cascade small → large", cascade.Name);
    }

    [Fact]
    public void ACacheHitSkipsEveryStageOfACascadeIncludingTheVerifier()
    {
        var report = CostSimulator.Simulate(Scenario($$"""
            { {{TwoModels}},
              "strategies": [ { "kind": "cascade", "tiers": ["small", "large"], "verifierCost": 0.1, "escalation": [0.5],
                                "escalationByClass": { "b": [1] },
                                "cache": { "hitRate": 0.5, "costPerHit": 0.01, "monthlyFixedCost": 5 } } ] }
            """));

        var cascade = Assert.Single(report.Strategies);
        // Misses: 50 small ($50), 37.5 large ($75), 50 verified ($5); hits 50 × $0.01; $5 fixed.
        Assert.Equal(new VerifierUsage(50m, 5m), cascade.Verifier);
        Assert.Equal(new CacheUsage(50m, 0.5m, 5m), cascade.Cache);
        Assert.Equal(135.5m, cascade.MonthlyCost);
        Assert.Equal("cascade small → large + cache", cascade.Name);
    }

    [Fact]
    public void SavingsAreMeasuredAgainstTheFirstStrategyAndMayBeNegative()
    {
        var report = CostSimulator.Simulate(Scenario($$"""
            { {{TwoModels}},
              "strategies": [ { "kind": "static", "model": "small" }, { "kind": "static", "model": "large" },
                              { "kind": "routed", "distribution": { "a": { "small": 1 }, "b": { "small": 0.5, "large": 0.5 } } } ] }
            """));

        Assert.Equal(["static small", "static large", "routed"], report.Strategies.Select(s => s.Name));
        Assert.Equal([100m, 200m, 125m], report.Strategies.Select(s => s.MonthlyCost));
        Assert.Equal([0m, -100m, -25m], report.Strategies.Select(s => s.Savings));
        Assert.Equal([0m, -1m, -0.25m], report.Strategies.Select(s => s.SavingsShare));
        Assert.Equal(new RouterUsage(100m, 0m), report.Strategies[2].Router);
    }

    [Fact]
    public void AnInvalidScenarioIsRefusedWithEveryProblem()
    {
        var scenario = new CostScenario { Mix = new Dictionary<string, decimal> { ["a"] = 2m } };

        var error = Assert.Throws<ArgumentException>(() => CostSimulator.Simulate(scenario));

        Assert.Contains("requestsPerMonth is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("mix.a must be in [0,1], got 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("strategies must list at least one strategy", error.Message, StringComparison.Ordinal);
    }
}
