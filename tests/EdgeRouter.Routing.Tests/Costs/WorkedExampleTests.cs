using EdgeRouter.Routing.Costs;

namespace EdgeRouter.Tests.Costs;

/// <summary>The worked example of <c>edgerouter simulate --example</c>, pinned to the cent and beyond.</summary>
public class WorkedExampleTests
{
    private static readonly CostReport Report = CostSimulator.Simulate(WorkedExample());

    internal static CostScenario WorkedExample()
    {
        var result = CostScenarioLoader.Load(CostScenarioLoader.WorkedExampleJson());
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Scenario;
    }

    private static StrategyCost Strategy(string name) => Report.Strategies.Single(s => s.Name == name);

    [Fact]
    public void StaticFlagshipCosts42000()
    {
        var flagship = Strategy("static flagship");

        // 800 × $15/M + 400 × $75/M = $0.042 per request.
        Assert.Equal(42_000m, flagship.MonthlyCost);
        Assert.Equal(0.042m, flagship.CostPerRequest);
        Assert.Equal(0m, flagship.Savings);
        Assert.Equal("static flagship", Report.Baseline);
    }

    [Fact]
    public void TheThreeTierCascadeCosts6124()
    {
        var cascade = Strategy("cascade cheap → strong → flagship");

        Assert.Equal(6_124m, cascade.MonthlyCost);
        Assert.Equal(0.006124m, cascade.CostPerRequest);
        Assert.Equal(35_876m, cascade.Savings);
        Assert.Equal(
            [("flagship", 75_000m, 3_150m), ("strong", 250_000m, 2_500m), ("cheap", 1_000_000m, 224m)],
            cascade.Models.Select(m => (m.Model, m.Calls, m.Cost)));
        // Every tier-1 answer and every tier-2 answer is verified; the last tier's is not.
        Assert.Equal(new VerifierUsage(1_250_000m, 250m), cascade.Verifier);
        Assert.Null(cascade.Router);
    }

    [Fact]
    public void TheMixtureOfRoutersCostsExactly4085Point84()
    {
        var mor = Strategy("MoR");

        Assert.Equal(4_085.84m, mor.MonthlyCost);
        Assert.Equal(0.00408584m, mor.CostPerRequest);
        Assert.Equal(new RouterUsage(1_000_000m, 100m), mor.Router);
        Assert.Equal(3_985.84m, mor.Models.Sum(m => m.Cost));
        Assert.Equal(668.16m, mor.Models.Single(m => m.Model == "mid").Cost);
        Assert.Equal(240_000m, mor.Models.Single(m => m.Model == "mid").Calls);
    }

    [Fact]
    public void CacheHitsSkipTheModelsAndTheRouterOverhead()
    {
        var cached = Strategy("MoR + cache");

        // 0.7 × 4,085.84 + 300,000 × $0.00002 + $400 = 3,266.088: hits skip the router overhead too (were it
        // charged on every request, the figure would be 3,296.088).
        Assert.Equal(3_266.088m, cached.MonthlyCost);
        Assert.Equal(0.003266088m, cached.CostPerRequest);
        Assert.Equal(new CacheUsage(300_000m, 6m, 400m), cached.Cache);
        Assert.Equal(new RouterUsage(700_000m, 70m), cached.Router);
        Assert.Equal("$3,266.09", CostReportMarkdown.Money(cached.MonthlyCost));
    }

    [Fact]
    public void TheShippedExampleFileIsTheEmbeddedOne()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "EdgeRouter.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        var file = File.ReadAllBytes(Path.Combine(directory.FullName, CostScenarioLoader.WorkedExamplePath));
        Assert.Equal(file, CostScenarioLoader.WorkedExampleJson());
    }
}
