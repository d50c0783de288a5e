using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using EdgeRouter.Configuration;
using EdgeRouter.Hosting;
using EdgeRouter.Pipeline;
using EdgeRouter.Simulator;
using Microsoft.Extensions.Logging;

namespace EdgeRouter.FunctionalTests;

/// <summary>
/// A real gateway (Kestrel on a loopback port) in front of a real simulator (another Kestrel on loopback),
/// configured per test. Everything crosses real sockets.
/// </summary>
internal sealed class TestGateway : IAsyncDisposable
{
    private TestGateway(SimulatorServer simulator, GatewayApp gateway, CapturedLogs logs, string? configPath)
    {
        Simulator = simulator;
        Gateway = gateway;
        Logs = logs;
        ConfigPath = configPath;
        Client = new HttpClient { BaseAddress = gateway.Addresses[0], Timeout = TimeSpan.FromSeconds(30) };
    }

    public SimulatorServer Simulator { get; }

    public GatewayApp Gateway { get; }

    public HttpClient Client { get; }

    public CapturedLogs Logs { get; }

    public string? ConfigPath { get; }

    public SimulatorState Sim => Simulator.State;

    /// <summary>Default simulated models: fast enough for tests, slow enough to observe streaming.</summary>
    public static SimulatorConfig SimulatorConfig(params SimulatedModelConfig[] extra) => new()
    {
        Url = "http://127.0.0.1:0",
        Models =
        [
            new SimulatedModelConfig { Name = "sim-cheap", TtftMs = 5, TokensPerSecond = 2000, AnswerTokens = 12 },
            new SimulatedModelConfig { Name = "sim-strong", TtftMs = 5, TokensPerSecond = 2000, AnswerTokens = 20 },
            new SimulatedModelConfig { Name = "sim-alt", TtftMs = 5, TokensPerSecond = 2000, AnswerTokens = 16 },
            new SimulatedModelConfig { Name = "sim-slow", TtftMs = 5, TokensPerSecond = 5, AnswerTokens = 200 },
            new SimulatedModelConfig { Name = "sim-embed", TtftMs = 0, TokensPerSecond = 100_000, EmbeddingDimensions = 384 },
            .. extra,
        ],
    };

    /// <summary>
    /// A config with providers "sim" (cheap, strong, slow, ghost, embed) and "sim2" (strong, served by sim-alt),
    /// routes "auto" (weighted), "fast" (cheap then strong), "pair" (sim/strong then sim2/strong).
    /// <paramref name="providerExtra"/> is spliced into the "sim" provider object.
    /// </summary>
    public static string Config(
        Uri simulatorApi, string providerExtra = "", string routesExtra = "", string serverExtra = "",
        string retry = """{ "maxAttempts": 2, "baseDelayMs": 10, "maxDelayMs": 20, "retryAfterCapMs": 3000 }""",
        string breaker = """{ "failureThreshold": 50, "openMs": 1000 }""") => $$"""
        {
          "server": { "urls": ["http://127.0.0.1:0"] {{serverExtra}} },
          "logging": { "level": "Information" },
          "providers": [
            { "name": "sim", "baseUrl": "{{simulatorApi}}",
              "retry": {{retry}},
              "circuitBreaker": {{breaker}}
              {{providerExtra}},
              "models": [
                { "name": "cheap", "upstreamName": "sim-cheap", "inputPricePerMillion": 1, "outputPricePerMillion": 2, "tags": ["cheap"] },
                { "name": "strong", "upstreamName": "sim-strong", "inputPricePerMillion": 10, "outputPricePerMillion": 20 },
                { "name": "slow", "upstreamName": "sim-slow" },
                { "name": "ghost", "upstreamName": "sim-does-not-exist" },
                { "name": "embed", "upstreamName": "sim-embed", "kind": "embedding" }
              ] },
            { "name": "sim2", "baseUrl": "{{simulatorApi}}", "models": [ { "name": "strong", "upstreamName": "sim-alt" } ] }
          ],
          "routes": {
            "auto": { "stages": [ { "kind": "weighted", "targets": [ { "model": "sim/cheap", "weight": 3 }, { "model": "sim/strong", "weight": 1 } ] } ] },
            "fast": { "stages": [ { "kind": "fallback", "targets": ["sim/cheap", "sim/strong"] } ] },
            "pair": { "stages": [ { "kind": "static", "target": "sim/strong" } ], "fallback": ["sim2/strong"] }
            {{routesExtra}}
          }
        }
        """;

    public static async Task<TestGateway> StartAsync(
        Func<Uri, string>? config = null, IReadOnlyList<IStageFactory>? stages = null, bool useFile = false,
        SimulatorConfig? simulator = null, Func<string, string?>? environment = null, Func<GatewayOptions, GatewayOptions>? options = null)
    {
        var sim = await SimulatorServer.StartAsync(simulator ?? SimulatorConfig());
        var json = (config ?? (api => Config(api)))(sim.ApiBase);
        string? path = null;
        if (useFile)
        {
            path = Path.Combine(Path.GetTempPath(), $"edgerouter-test-{Guid.NewGuid():N}.json");
            await File.WriteAllTextAsync(path, json);
        }

        var logs = new CapturedLogs();
        try
        {
            var settings = new GatewayOptions
            {
                ConfigPath = path,
                ConfigJson = path is null ? Encoding.UTF8.GetBytes(json) : null,
                ExtraStages = stages ?? [],
                Environment = environment ?? (_ => null),
                HandleSignals = false,
                ConfigureLogging = logging => logging.AddProvider(logs),
                ConfigPollInterval = TimeSpan.FromMilliseconds(200),
            };
            var gateway = await GatewayApp.StartAsync(options?.Invoke(settings) ?? settings);
            return new TestGateway(sim, gateway, logs, path);
        }
        catch
        {
            await sim.DisposeAsync();
            throw;
        }
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    public static string ChatBody(string model, string user = "Hello there", string extra = "") =>
        $$"""{"model":"{{model}}","messages":[{"role":"user","content":"{{user}}"}]{{extra}}}""";

    public Task<HttpResponseMessage> PostChatAsync(string body, CancellationToken cancellationToken = default) =>
        Client.PostAsync("/v1/chat/completions", Json(body), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Gateway.DisposeAsync();
        await Simulator.DisposeAsync();
        if (ConfigPath is not null)
        {
            File.Delete(ConfigPath);
        }
    }
}

/// <summary>Keeps every log line for assertions.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message)> _lines = new();

    public IReadOnlyList<(string Category, LogLevel Level, string Message)> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, string)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue((category, logLevel, formatter(state, exception)));
    }
}
