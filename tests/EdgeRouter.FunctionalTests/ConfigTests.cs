using System.Diagnostics;
using System.Text;
using EdgeRouter.Hosting;

namespace EdgeRouter.FunctionalTests;

public class ConfigTests
{
    [Fact]
    public async Task AnInvalidConfigStopsStartupAndListsEveryProblem()
    {
        var config = TestGateway.Config(new Uri("http://127.0.0.1:1/v1"))
            .Replace("\"weight\": 3", "\"weight\": 0", StringComparison.Ordinal)
            .Replace("\"sim/strong\", \"weight\": 1", "\"sim/missing\", \"weight\": 1", StringComparison.Ordinal)
            .Replace("\"maxAttempts\": 2", "\"maxAttempts\": 99", StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<ConfigurationException>(() => GatewayApp.StartAsync(new GatewayOptions
        {
            ConfigJson = Encoding.UTF8.GetBytes(config),
            HandleSignals = false,
        }));

        Assert.Equal([
            "providers[0].retry.maxAttempts must be in [1, 10], got 99",
            "routes.auto.stages[0].targets[0].weight must be > 0, got 0",
            "routes.auto.stages[0].targets[1].model 'sim/missing' is not a configured model (write provider/model)",
        ], error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public async Task TheEmbeddedDefaultIsValid()
    {
        var result = EdgeRouter.Configuration.ConfigLoader.Load(EmbeddedDefaults.ConfigJson(),
            new EdgeRouter.Pipeline.StageRegistry(StageKinds.BuiltIn), _ => null);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(["auto", "verified", "race", "fast", "best"], result.Value.Config.Routes.Keys);
        Assert.Equal(["cache", "rules", "sticky", "mor", "direct"], result.Value.Config.Routes["auto"].Stages.Select(s => s.Kind));
        Assert.Contains("router", result.Value.Config.Inference!.Classifiers.Keys);
        Assert.NotNull(result.Value.Config.Simulator);
        Assert.Equal("default", result.Value.Config.Cache?.Encoder);
        Assert.Contains("default", result.Value.Config.Inference!.Encoders.Keys);
        Assert.All(result.Value.Config.Routes.Values, route => Assert.Equal("cache", route.Stages[0].Kind));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task ASavedConfigChangeIsAppliedWithoutARestart()
    {
        await using var test = await TestGateway.StartAsync(useFile: true);
        using (var before = await test.PostChatAsync(TestGateway.ChatBody("fast")))
        {
            Assert.Equal("sim/cheap", before.Headers.GetValues("x-edgerouter-model").Single());
        }

        var changed = (await File.ReadAllTextAsync(test.ConfigPath!))
            .Replace("\"targets\": [\"sim/cheap\", \"sim/strong\"]", "\"targets\": [\"sim/strong\"]", StringComparison.Ordinal);
        await File.WriteAllTextAsync(test.ConfigPath!, changed);

        await WaitUntil(async () =>
        {
            using var after = await test.PostChatAsync(TestGateway.ChatBody("fast"));
            return after.Headers.GetValues("x-edgerouter-model").Single() == "sim/strong";
        });
        Assert.Contains("edgerouter_config_reloads_total{result=\"applied\"} 1", await test.Client.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInvalidConfigChangeKeepsTheRunningConfigAndLogsWhy()
    {
        await using var test = await TestGateway.StartAsync(useFile: true);
        var broken = (await File.ReadAllTextAsync(test.ConfigPath!)).Replace("\"weight\": 3", "\"weight\": -3", StringComparison.Ordinal);

        await File.WriteAllTextAsync(test.ConfigPath!, broken);

        await WaitUntil(() => Task.FromResult(test.Logs.Lines.Any(l => l.Message.Contains("rejected, keeping the previous config", StringComparison.Ordinal))));
        var rejection = test.Logs.Lines.First(l => l.Message.Contains("rejected", StringComparison.Ordinal)).Message;
        Assert.Contains("routes.auto.stages[0].targets[0].weight must be > 0, got -3", rejection, StringComparison.Ordinal);
        using var response = await test.PostChatAsync(TestGateway.ChatBody("auto"));
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("edgerouter_config_reloads_total{result=\"rejected\"} 1", await test.Client.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProvidersWhoseSettingsDidNotChangeKeepTheirCircuitAcrossAReload()
    {
        await using var test = await TestGateway.StartAsync(useFile: true);
        var before = test.Gateway.Snapshot.Providers["sim"];
        var routesOnly = (await File.ReadAllTextAsync(test.ConfigPath!)).Replace("\"weight\": 3", "\"weight\": 5", StringComparison.Ordinal);

        await File.WriteAllTextAsync(test.ConfigPath!, routesOnly);

        await WaitUntil(() => Task.FromResult(test.Logs.Lines.Any(l => l.Message.StartsWith("config reloaded", StringComparison.Ordinal))));
        Assert.Same(before, test.Gateway.Snapshot.Providers["sim"]);
    }

    private static async Task WaitUntil(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "condition not met within 10 s");
            await Task.Delay(50);
        }
    }
}

public class ExampleConfigTests
{
    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryRoot(), "examples"), "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void EveryExampleConfigIsValidOnceItsKeysAreSet(string file)
    {
        var stages = new EdgeRouter.Pipeline.StageRegistry(StageKinds.BuiltIn);
        var path = Path.Combine(RepositoryRoot(), "examples", file);

        var withKeys = EdgeRouter.Configuration.ConfigLoader.LoadFile(path, stages, name => name.EndsWith("_API_KEY", StringComparison.Ordinal) ? "test-key" : null);
        Assert.True(withKeys.IsValid, string.Join("\n", withKeys.Errors));
        var keyed = withKeys.Value.Config.Providers.Where(p => p.ApiKeyEnv is not null).ToList();
        if (keyed.Count > 0)
        {
            var withoutKeys = EdgeRouter.Configuration.ConfigLoader.LoadFile(path, stages, _ => null);
            Assert.Equal(keyed.Select(p => $"names environment variable {p.ApiKeyEnv}, which is not set"),
                withoutKeys.Errors.Select(e => e.Message));
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "EdgeRouter.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("EdgeRouter.sln not found above the test binaries.");
    }
}
