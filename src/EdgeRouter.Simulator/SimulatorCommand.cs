using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using EdgeRouter.Configuration;

namespace EdgeRouter.Simulator;

/// <summary><c>edgerouter sim [--url URL] [--config FILE]</c>: runs the simulator in the foreground until SIGINT or SIGTERM.</summary>
public static class SimulatorCommand
{
    private const string Usage = """
        Usage: edgerouter sim [--url URL] [--config FILE]

        Runs an OpenAI-compatible upstream simulator until Ctrl+C (SIGINT) or SIGTERM.

          --url URL       address to listen on (default http://127.0.0.1:18080; port 0 picks a free port)
          --config FILE   a JSON simulator configuration (url, seed, models); without it the
                          models are sim-cheap, sim-strong and sim-embed
          --help          print this help

        Endpoints: POST /v1/chat/completions, POST /v1/embeddings, GET /v1/models, GET /healthz,
                   POST /_sim/faults, POST|DELETE /_sim/script, GET /_sim/stats, POST /_sim/reset
        """;

    /// <summary>
    /// The configuration used without <c>--config</c>: <c>sim-cheap</c> (fast, short answers), <c>sim-strong</c>
    /// (slower, longer answers) and <c>sim-embed</c>, on <c>http://127.0.0.1:18080</c>.
    /// </summary>
    public static SimulatorConfig DefaultConfig { get; } = new()
    {
        Url = "http://127.0.0.1:18080",
        Models =
        [
            new SimulatedModelConfig { Name = "sim-cheap", TtftMs = 40, TokensPerSecond = 150, AnswerTokens = 24 },
            new SimulatedModelConfig { Name = "sim-strong", TtftMs = 120, TokensPerSecond = 60, AnswerTokens = 48 },
            new SimulatedModelConfig { Name = "sim-embed", TtftMs = 15, TokensPerSecond = 1000, AnswerTokens = 8, EmbeddingDimensions = 384 },
        ],
    };

    /// <summary>
    /// Runs the command with the arguments after <c>sim</c> (a leading <c>sim</c> is accepted too). Returns 0 after a
    /// signal, 1 when the server cannot start, 2 for bad arguments or configuration (errors on stderr, one per line).
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        using var stop = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            // Shut down cleanly instead of letting the runtime kill the process.
            context.Cancel = true;
            stop.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        return await RunAsync(args, Console.Out, Console.Error, stop.Token);
    }

    /// <summary>The command with its streams and stop signal supplied; runs until <paramref name="stop"/> fires.</summary>
    internal static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(args);
        var parsed = ParseArgs(args, out var help);
        if (help)
        {
            await output.WriteLineAsync(Usage);
            return 0;
        }

        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
            {
                await error.WriteLineAsync(problem.ToString());
            }

            await error.WriteLineAsync("Run 'edgerouter sim --help' for usage.");
            return 2;
        }

        IReadOnlyList<ConfigError> loadErrors = [];
        var config = parsed.ConfigPath is null ? DefaultConfig : Load(parsed.ConfigPath, out loadErrors);
        var errors = new ConfigErrors();
        if (config is null)
        {
            foreach (var problem in loadErrors)
            {
                errors.Add(problem.Path, problem.Message);
            }
        }
        else
        {
            if (parsed.Url is not null)
            {
                config = config with { Url = parsed.Url };
            }

            ConfigValidator.ValidateSimulator(config, errors);
        }

        if (!errors.IsEmpty)
        {
            foreach (var problem in errors.Items)
            {
                await error.WriteLineAsync(problem.ToString());
            }

            return 2;
        }

        SimulatorServer server;
        try
        {
            server = await SimulatorServer.StartAsync(config!, cancellationToken: stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or NotSupportedException)
        {
            await error.WriteLineAsync($"cannot start the simulator on {config!.Url}: {ex.Message}");
            return 1;
        }

        await using (server)
        {
            await output.WriteLineAsync($"EdgeRouter simulator listening on {server.BaseAddress} (API base {server.ApiBase})");
            foreach (var model in config!.Models)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  {model.Name}: ttft {model.TtftMs} ms (+{model.JitterMs} jitter), {model.TokensPerSecond} tokens/s, {model.AnswerTokens} tokens, {model.EmbeddingDimensions}-d embeddings"));
            }

            await output.WriteLineAsync("Press Ctrl+C to stop.");
            await output.FlushAsync(CancellationToken.None);
            try
            {
                await Task.Delay(Timeout.Infinite, stop);
            }
            catch (OperationCanceledException)
            {
                // The signal: stop below.
            }

            await server.StopAsync();
        }

        return 0;
    }

    private sealed record ParsedArgs(string? Url, string? ConfigPath, List<ConfigError> Errors);

    private static ParsedArgs ParseArgs(string[] args, out bool help)
    {
        help = false;
        string? url = null;
        string? configPath = null;
        var errors = new List<ConfigError>();
        var start = args.Length > 0 && args[0] == "sim" ? 1 : 0;
        for (var i = start; i < args.Length; i++)
        {
            var arg = args[i];
            string? inline = null;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                inline = arg[(equals + 1)..];
                arg = arg[..equals];
            }

            switch (arg)
            {
                case "--help" or "-h" or "-?":
                    help = true;
                    break;
                case "--url":
                    url = Value(args, ref i, arg, inline, errors) ?? url;
                    break;
                case "--config":
                    configPath = Value(args, ref i, arg, inline, errors) ?? configPath;
                    break;
                default:
                    errors.Add(new ConfigError(arg, "is not an option of 'edgerouter sim' (expected --url, --config or --help)"));
                    break;
            }
        }

        return new ParsedArgs(url, configPath, errors);
    }

    private static string? Value(string[] args, ref int i, string option, string? inline, List<ConfigError> errors)
    {
        if (inline is not null)
        {
            return inline;
        }

        if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
        {
            return args[++i];
        }

        errors.Add(new ConfigError(option, "needs a value"));
        return null;
    }

    /// <summary>Reads a <see cref="SimulatorConfig"/> file; null with the problems on failure.</summary>
    internal static SimulatorConfig? Load(string path, out IReadOnlyList<ConfigError> errors)
    {
        errors = [];
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            errors = [new ConfigError("", $"cannot read config file '{path}': {ex.Message}")];
            return null;
        }

        try
        {
            var config = JsonSerializer.Deserialize(bytes, SimulatorJsonContext.Default.SimulatorConfig);
            if (config is null)
            {
                errors = [new ConfigError("simulator", "must be a JSON object, got null")];
            }

            return config;
        }
        catch (JsonException ex)
        {
            errors = [ConfigLoader.Describe(ex, "simulator")];
            return null;
        }
    }
}
