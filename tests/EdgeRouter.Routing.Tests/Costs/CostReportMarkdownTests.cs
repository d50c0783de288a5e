using System.Text.Json;
using EdgeRouter.Routing.Costs;

namespace EdgeRouter.Tests.Costs;

public class CostReportMarkdownTests
{
    [Fact]
    public void TheWorkedExamplePrintsAsTheseTables()
    {
        var markdown = CostReportMarkdown.Format(CostSimulator.Simulate(WorkedExampleTests.WorkedExample()));

        Assert.Equal(""""
        # Monthly cost of 1,000,000 requests

        Traffic: trivial 60% · mid 30% · complex 10%; 800 input + 400 output tokens per request.
        Money is rounded to the cent for display; the computation is exact.

        | strategy | monthly cost | per request | savings vs static flagship |
        |---|---:|---:|---:|
        | static flagship | $42,000.00 | $0.042000 | baseline |
        | cascade cheap → strong → flagship | $6,124.00 | $0.006124 | $35,876.00 (85.4%) |
        | MoR | $4,085.84 | $0.004086 | $37,914.16 (90.3%) |
        | MoR + cache | $3,266.09 | $0.003266 | $38,733.91 (92.2%) |

        ## Cost breakdown (USD per month)

        | item | static flagship | cascade cheap → strong → flagship | MoR | MoR + cache |
        |---|---:|---:|---:|---:|
        | flagship | $42,000.00 | $3,150.00 | $1,890.00 | $1,323.00 |
        | strong | – | $2,500.00 | $950.00 | $665.00 |
        | strong-alt | – | – | $350.00 | $245.00 |
        | mid | – | – | $668.16 | $467.71 |
        | cheap | – | $224.00 | $127.68 | $89.38 |
        | verifier | – | $250.00 | – | – |
        | router overhead | – | – | $100.00 | $70.00 |
        | cache hits | – | – | – | $6.00 |
        | cache infrastructure | – | – | – | $400.00 |
        | **total** | **$42,000.00** | **$6,124.00** | **$4,085.84** | **$3,266.09** |

        ## Traffic per month (model rows: calls · input tokens · output tokens)

        | item | static flagship | cascade cheap → strong → flagship | MoR | MoR + cache |
        |---|---:|---:|---:|---:|
        | flagship | 1,000,000 · 800M · 400M | 75,000 · 60M · 30M | 45,000 · 36M · 18M | 31,500 · 25.2M · 12.6M |
        | strong | – | 250,000 · 200M · 100M | 95,000 · 76M · 38M | 66,500 · 53.2M · 26.6M |
        | strong-alt | – | – | 50,000 · 40M · 20M | 35,000 · 28M · 14M |
        | mid | – | – | 240,000 · 192M · 96M | 168,000 · 134.4M · 67.2M |
        | cheap | – | 1,000,000 · 800M · 400M | 570,000 · 456M · 228M | 399,000 · 319.2M · 159.6M |
        | verified answers | – | 1,250,000 | – | – |
        | routed requests | – | – | 1,000,000 | 700,000 |
        | cache hits | – | – | – | 300,000 |

        """".ReplaceLineEndings("\n"), markdown);
    }

    [Theory]
    [InlineData("3266.088", "$3,266.09")]
    [InlineData("4085.84", "$4,085.84")]
    [InlineData("42000", "$42,000.00")]
    [InlineData("0.005", "$0.01")]
    [InlineData("-12.5", "-$12.50")]
    [InlineData("-0.004", "$0.00")]
    public void MoneyIsRoundedToTheCentHalfAwayFromZero(string exact, string printed)
    {
        Assert.Equal(printed, CostReportMarkdown.Money(decimal.Parse(exact, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void PerClassTokensArePrintedWhenClassesDiffer()
    {
        var report = CostSimulator.Simulate(CostSimulatorTests.Scenario("""
            {
              "requestsPerMonth": 1000, "inputTokensPerRequest": 100, "outputTokensPerRequest": 50,
              "mix": { "a": 0.5, "b": 0.5 }, "tokensByClass": { "b": { "inputTokensPerRequest": 300 } },
              "prices": { "m": { "inputPricePerMillion": 10, "outputPricePerMillion": 20 } },
              "strategies": [ { "name": "all | m", "kind": "static", "model": "m" } ]
            }
            """));

        var markdown = CostReportMarkdown.Format(report);

        Assert.Contains("Traffic: a 50% · b 50%; input + output tokens per request: a 100 + 50 · b 300 + 50.", markdown, StringComparison.Ordinal);
        Assert.Contains("| all \\| m | $3.00 | $0.003000 | baseline |", markdown, StringComparison.Ordinal);
        Assert.Contains("| m | 1,000 · 200,000 · 50,000 |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void TheJsonReportCarriesTheExactFigures()
    {
        var json = JsonSerializer.Serialize(CostSimulator.Simulate(WorkedExampleTests.WorkedExample()), CostJsonContext.Default.CostReport);

        using var document = JsonDocument.Parse(json);
        var strategies = document.RootElement.GetProperty("strategies");
        Assert.Equal(["42000", "6124", "4085.84", "3266.088"], strategies.EnumerateArray().Select(s => s.GetProperty("monthlyCost").GetRawText()));
        var cached = strategies[3];
        Assert.Equal("0.003266088", cached.GetProperty("costPerRequest").GetRawText());
        Assert.Equal("""{"hits":300000,"hitCost":6,"fixedCost":400}""", JsonSerializer.Serialize(JsonSerializer.Deserialize<JsonElement>(cached.GetProperty("cache").GetRawText())));
        Assert.False(strategies[0].TryGetProperty("verifier", out _));
    }
}
