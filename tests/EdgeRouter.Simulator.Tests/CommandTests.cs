using EdgeRouter.Configuration;

namespace EdgeRouter.Simulator.Tests;

public sealed class CommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edgerouter-sim-tests").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task InvalidConfigFileReturns2AndListsEveryError()
    {
        var path = Write("""
            // comments and trailing commas are fine
            {
              "url": "ftp://nowhere",
              "models": [
                { "name": "a", "ttftMs": -1, "tokensPerSecond": 0 },
                { "name": "a", "faults": { "errorRate": 2 } },
              ],
            }
            """);

        var (code, output, error) = await RunAsync("--config", path);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        var expected = new ConfigErrors();
        ConfigValidator.ValidateSimulator(SimulatorCommand.Load(path, out _)!, expected);
        Assert.True(expected.Count >= 5);
        Assert.Equal(expected.Items.Select(e => e.ToString()), Lines(error));
        Assert.Contains("simulator.models[0].ttftMs must be >= 0, got -1", Lines(error));
        Assert.Contains("simulator.models[1].name 'a' is listed twice", Lines(error));
    }

    [Fact]
    public async Task UnknownMembersInTheConfigFileAreErrors()
    {
        var path = Write("""{ "models": [ { "name": "a", "speed": 3 } ] }""");

        var (code, _, error) = await RunAsync("--config", path);

        Assert.Equal(2, code);
        var line = Assert.Single(Lines(error));
        Assert.StartsWith("simulator.models[0].speed ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingConfigFileReturns2()
    {
        var (code, _, error) = await RunAsync("--config", Path.Combine(_directory, "missing.json"));

        Assert.Equal(2, code);
        Assert.StartsWith("cannot read config file", Assert.Single(Lines(error)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--port", "1")]
    [InlineData("--url")]
    [InlineData("--url", "not a url")]
    public async Task BadArgumentsReturn2(params string[] args)
    {
        var (code, _, error) = await RunAsync(args);

        Assert.Equal(2, code);
        Assert.NotEmpty(Lines(error));
    }

    [Fact]
    public async Task HelpPrintsUsage()
    {
        var (code, output, _) = await RunAsync("--help");

        Assert.Equal(0, code);
        Assert.Contains("Usage: edgerouter sim", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsUntilStoppedAndPrintsTheAddressAndModels()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        using var stop = new CancellationTokenSource();
        var run = SimulatorCommand.RunAsync(["sim", "--url", "http://127.0.0.1:0"], output, error, stop.Token);

        Assert.True(await Sim.EventuallyAsync(() => output.ToString().Contains("Ctrl+C", StringComparison.Ordinal)), error.ToString());
        var text = output.ToString();
        Assert.Contains("listening on http://127.0.0.1:", text, StringComparison.Ordinal);
        Assert.Contains("sim-cheap", text, StringComparison.Ordinal);
        Assert.Contains("sim-strong", text, StringComparison.Ordinal);
        Assert.Contains("sim-embed", text, StringComparison.Ordinal);
        await stop.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void DefaultConfigIsValid()
    {
        var errors = new ConfigErrors();
        ConfigValidator.ValidateSimulator(SimulatorCommand.DefaultConfig, errors);

        Assert.True(errors.IsEmpty);
        Assert.Equal("http://127.0.0.1:18080", SimulatorCommand.DefaultConfig.Url);
        Assert.Equal(["sim-cheap", "sim-strong", "sim-embed"], SimulatorCommand.DefaultConfig.Models.Select(m => m.Name));
    }

    private string Write(string json)
    {
        var path = Path.Combine(_directory, $"sim-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await SimulatorCommand.RunAsync(args, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
