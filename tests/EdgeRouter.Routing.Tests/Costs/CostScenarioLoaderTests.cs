using System.Text;
using EdgeRouter.Routing.Costs;

namespace EdgeRouter.Tests.Costs;

public class CostScenarioLoaderTests
{
    private static string Error(string json) =>
        Assert.Single(CostScenarioLoader.Load(Encoding.UTF8.GetBytes(json)).Errors).ToString();

    [Fact]
    public void AMissingFileIsOneErrorNamingTheFile()
    {
        var result = CostScenarioLoader.LoadFile("/no/such/scenario.json");

        Assert.False(result.IsValid);
        Assert.Equal("cannot read scenario file '/no/such/scenario.json': no such file", Assert.Single(result.Errors).ToString());
    }

    [Theory]
    [InlineData("""{ "requestsPerMonth": """, "the scenario is not valid JSON at line 1, column 23")]
    [InlineData("", "the scenario is not valid JSON at line 1, column 1")]
    [InlineData("null", "scenario must be a JSON object, got null")]
    [InlineData("[1]", "the scenario has the wrong type: expected an object, got an array (line 1, column 2)")]
    [InlineData("""{ "requestsPerMonth": "many" }""", "requestsPerMonth has the wrong type: expected a whole number, got a string (line 1, column 29)")]
    [InlineData("""{ "mix": { "a": "half" } }""", "mix.a has the wrong type: expected a number, got a string (line 1, column 23)")]
    [InlineData("""{ "strategies": { "kind": "static" } }""", "strategies has the wrong type: expected an array, got an object (line 1, column 18)")]
    [InlineData("""{ "prices": { "m": { "inputPrice": 1 } } }""", "prices.m.inputPrice is not a known setting (line 1, column 35)")]
    [InlineData("""{ "strategies": null }""", "strategies must not be null (line 1, column 21)")]
    [InlineData("""{ "strategies": [ { "tiers": [1] } ] }""", "strategies[0].tiers[0] has the wrong type: expected a string, got a number (line 1, column 32)")]
    [InlineData("""{ "mix": { "a b": true } }""", "mix['a b'] has the wrong type: expected a number, got a boolean (line 1, column 23)")]
    [InlineData("""{ "requestsPerMonth": 1.5 }""", "requestsPerMonth cannot be represented as a whole number (line 1, column 26)")]
    [InlineData("""{ "mix": { "a": 1e40 } }""", "mix.a cannot be represented as a number (at most about ±7.9e28) (line 1, column 21)")]
    public void MalformedInputIsOneClearError(string json, string expected)
    {
        Assert.Equal(expected, Error(json));
    }

    [Fact]
    public void CommentsAndTrailingCommasAreAllowed()
    {
        var result = CostScenarioLoader.Load("""
            { // a comment
              "requestsPerMonth": 10, "inputTokensPerRequest": 1, "outputTokensPerRequest": 1,
              "mix": { "all": 1, },
              "prices": { "m": { "inputPricePerMillion": 1, "outputPricePerMillion": 1 } },
              "strategies": [ { "kind": "static", "model": "m" }, ],
            }
            """u8);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
    }
}
