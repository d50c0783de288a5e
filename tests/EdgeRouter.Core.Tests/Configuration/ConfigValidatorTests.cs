using System.Text;
using EdgeRouter.Configuration;

namespace EdgeRouter.Tests.Configuration;

public class ConfigValidatorTests
{
    private const string ValidConfig = """
        {
          // comments are allowed
          "providers": [
            { "name": "openai", "baseUrl": "https://api.openai.com/v1", "apiKeyEnv": "TEST_OPENAI_KEY",
              "models": [ { "name": "gpt-4o-mini", "inputPricePerMillion": 0.15, "outputPricePerMillion": 0.6 },
                          { "name": "text-embedding-3-small", "kind": "embedding" } ] },
            { "name": "local", "baseUrl": "http://127.0.0.1:11434/v1",
              "models": [ { "name": "llama3" } ] },
          ],
          "routes": {
            "auto": { "stages": [ { "kind": "note", "text": "hi" }, { "kind": "pick", "target": "openai/gpt-4o-mini" } ],
                      "fallback": ["local/llama3"] }
          }
        }
        """;

    private static readonly Func<string, string?> Env = name => name == "TEST_OPENAI_KEY" ? "sk-test" : null;

    private static ConfigLoadResult Load(string json) => ConfigLoader.Load(Encoding.UTF8.GetBytes(json), TestStages.Registry, Env);

    private static List<string> Errors(string json) => Load(json).Errors.Select(e => e.ToString()).ToList();

    [Fact]
    public void AValidConfigLoadsWithItsModelsAndBoundStages()
    {
        var result = Load(ValidConfig);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(["openai/gpt-4o-mini", "openai/text-embedding-3-small", "local/llama3"], result.Value.Catalog.All.Select(m => m.Id));
        Assert.Equal(2, result.Value.RouteStages["auto"].Count);
        Assert.Equal("sk-test", result.Value.ApiKeys["openai"]);
        Assert.Null(result.Value.ApiKeys["local"]);
        Assert.Equal("http://127.0.0.1:8080", Assert.Single(result.Value.Config.Server.Urls));
    }

    [Fact]
    public void EveryProblemIsListedWithItsPath()
    {
        var errors = Errors("""
            {
              "server": { "urls": ["ftp://x"], "maxRequestBodyBytes": 0 },
              "logging": { "level": "Loud", "format": "xml" },
              "providers": [
                { "name": "bad name", "baseUrl": "not a url", "apiKeyEnv": "MISSING_KEY",
                  "headers": { "Authorization": "Bearer x" },
                  "timeouts": { "connectMs": 0, "firstByteMs": 9000, "totalMs": 1000 },
                  "retry": { "maxAttempts": 0, "baseDelayMs": 50, "maxDelayMs": 10 },
                  "circuitBreaker": { "openMs": 0 },
                  "models": [ { "name": "m", "inputPricePerMillion": -1 }, { "name": "m", "contextWindow": 0 } ] }
              ],
              "routes": {
                "a/b": { "stages": [ { "kind": "pick", "target": "nope/missing" } ] },
                "empty": { "stages": [] }
              }
            }
            """);

        Assert.Contains("server.urls[0] must be an absolute http:// or https:// URL, got 'ftp://x'", errors);
        Assert.Contains("server.maxRequestBodyBytes must be in [1, 1073741824], got 0", errors);
        Assert.Contains(errors, e => e.StartsWith("logging.level must be one of", StringComparison.Ordinal));
        Assert.Contains("logging.format must be 'text' or 'json', got 'xml'", errors);
        Assert.Contains(errors, e => e.StartsWith("providers[0].name must be letters", StringComparison.Ordinal));
        Assert.Contains("providers[0].baseUrl must be an absolute http:// or https:// URL, got 'not a url'", errors);
        Assert.Contains("providers[0].apiKeyEnv names environment variable MISSING_KEY, which is not set", errors);
        Assert.Contains(errors, e => e.StartsWith("providers[0].headers.Authorization is set by the gateway", StringComparison.Ordinal));
        Assert.Contains("providers[0].timeouts.connectMs must be > 0, got 0", errors);
        Assert.Contains("providers[0].timeouts.firstByteMs must be <= totalMs (1000), got 9000", errors);
        Assert.Contains("providers[0].retry.maxAttempts must be in [1, 10], got 0", errors);
        Assert.Contains("providers[0].retry.maxDelayMs must be >= baseDelayMs (50), got 10", errors);
        Assert.Contains("providers[0].circuitBreaker.openMs must be > 0, got 0", errors);
        Assert.Contains("providers[0].models[0].inputPricePerMillion must be >= 0, got -1", errors);
        Assert.Contains("providers[0].models[1].name 'm' is listed twice", errors);
        Assert.Contains("providers[0].models[1].contextWindow must be > 0, got 0", errors);
        Assert.Contains(errors, e => e.StartsWith("routes.a/b name must be letters", StringComparison.Ordinal));
        Assert.Contains("routes.a/b.stages[0].target 'nope/missing' is not a configured model (write provider/model)", errors);
        Assert.Contains("routes.empty.stages must list at least one stage", errors);
        Assert.True(errors.Count >= 19, string.Join("\n", errors));
    }

    [Fact]
    public void AnUnknownSettingIsReportedWithItsPath()
    {
        var errors = Errors(ValidConfig.Replace("\"llama3\" }", "\"llama3\", \"contextWindw\": 4096 }", StringComparison.Ordinal));

        var error = Assert.Single(errors);
        Assert.StartsWith("providers[1].models[0].contextWindw is invalid", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AWrongTypeIsReportedWithItsPath()
    {
        var errors = Errors(ValidConfig.Replace("\"inputPricePerMillion\": 0.15", "\"inputPricePerMillion\": \"cheap\"", StringComparison.Ordinal));

        Assert.StartsWith("providers[0].models[0].inputPricePerMillion is invalid", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void ASyntaxErrorReportsLineAndColumn()
    {
        var errors = Errors("{\n  \"providers\": [\n    { \"name\": \"x\" \n  ]\n}");

        Assert.Matches(@"\(line 4, column \d+\)$", Assert.Single(errors));
    }

    [Fact]
    public void AnUnknownStageKindListsTheKnownKinds()
    {
        var errors = Errors(ValidConfig.Replace("\"kind\": \"note\"", "\"kind\": \"magic\"", StringComparison.Ordinal));

        Assert.Contains("routes.auto.stages[0].kind 'magic' is not a stage kind; known kinds: note, pick", errors);
    }

    [Fact]
    public void StageSettingsAreValidatedByTheirFactoryWithFullPaths()
    {
        var errors = Errors(ValidConfig.Replace("\"text\": \"hi\"", "\"text\": \"\"", StringComparison.Ordinal));

        Assert.Equal(["routes.auto.stages[0].text must not be empty"], errors);
    }

    [Fact]
    public void AStageAfterOneThatAlwaysDecidesIsUnreachable()
    {
        var errors = Errors(ValidConfig.Replace(
            "{ \"kind\": \"note\", \"text\": \"hi\" }, { \"kind\": \"pick\", \"target\": \"openai/gpt-4o-mini\" }",
            "{ \"kind\": \"pick\", \"target\": \"openai/gpt-4o-mini\" }, { \"kind\": \"note\", \"text\": \"hi\" }",
            StringComparison.Ordinal));

        Assert.Equal(["routes.auto.stages[1] can never run: routes.auto.stages[0] (pick) always decides or responds"], errors);
    }

    [Fact]
    public void ARouteThatNeverDecidesIsRejected()
    {
        var errors = Errors(ValidConfig.Replace(", { \"kind\": \"pick\", \"target\": \"openai/gpt-4o-mini\" }", "", StringComparison.Ordinal));

        Assert.Equal(["routes.auto.stages must end with a stage that always decides (static, weighted, fallback, direct, cascade or speculative)"], errors);
    }

    [Fact]
    public void FallbackMustNameAChatModel()
    {
        var errors = Errors(ValidConfig.Replace("\"fallback\": [\"local/llama3\"]", "\"fallback\": [\"openai/text-embedding-3-small\", \"x/y\"]", StringComparison.Ordinal));

        Assert.Equal([
            "routes.auto.fallback[0] 'openai/text-embedding-3-small' is an embedding model, not a chat model",
            "routes.auto.fallback[1] 'x/y' is not a configured model (write provider/model)",
        ], errors);
    }

    [Fact]
    public void ABareModelNameResolvesOnlyWhenOneProviderServesIt()
    {
        var result = Load(ValidConfig.Replace("\"name\": \"llama3\"", "\"name\": \"gpt-4o-mini\"", StringComparison.Ordinal)
            .Replace("local/llama3", "local/gpt-4o-mini", StringComparison.Ordinal));

        Assert.True(result.IsValid);
        Assert.False(result.Value.Catalog.TryResolve("gpt-4o-mini", out _));
        Assert.True(result.Value.Catalog.TryResolve("local/gpt-4o-mini", out _));
        Assert.True(result.Value.Catalog.TryResolve("text-embedding-3-small", out var embed));
        Assert.Equal("openai/text-embedding-3-small", embed.Id);
    }

    [Fact]
    public void SimulatorSettingsAreValidated()
    {
        var errors = Errors(ValidConfig.Replace("\"routes\"", """
            "simulator": { "url": "http://127.0.0.1:0", "models": [
              { "name": "a", "tokensPerSecond": 0, "faults": { "errorRate": 0.7, "dropRate": 0.6 } },
              { "name": "a" } ] },
            "routes"
            """, StringComparison.Ordinal));

        Assert.Equal([
            "simulator.models[0].tokensPerSecond must be > 0, got 0",
            "simulator.models[0].faults rates must add up to at most 1, got 1.3",
            "simulator.models[1].name 'a' is listed twice",
        ], errors);
    }

    [Fact]
    public void ModelTargetCostUsesPricesPerMillionTokens()
    {
        var model = Load(ValidConfig).Value!.Catalog.All[0];

        Assert.Equal(0.00015m + 0.0003m, model.Cost(1000, 500));
    }
}
