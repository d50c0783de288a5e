using EdgeRouter.Hosting;

namespace EdgeRouter.Cli;

/// <summary><c>edgerouter [run]</c>: runs the gateway until Ctrl+C or SIGTERM.</summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(CommandLine.HelpText);
            return CommandLine.Ok;
        }

        var unknown = CommandLine.Unknown(args, "--config", "--urls").ToList();
        if (unknown.Count > 0)
        {
            await Console.Error.WriteLineAsync($"edgerouter: unknown argument '{unknown[0]}'. See 'edgerouter help'.");
            return CommandLine.Usage;
        }

        if (!CommandLine.TryGetOption(args, "--config", out var configPath, out var error) && error is not null
            || !CommandLine.TryGetOption(args, "--urls", out var urls, out error) && error is not null)
        {
            await Console.Error.WriteLineAsync($"edgerouter: {error}");
            return CommandLine.Usage;
        }

        configPath ??= NullIfEmpty(Environment.GetEnvironmentVariable("EDGEROUTER_CONFIG"));
        urls ??= NullIfEmpty(Environment.GetEnvironmentVariable("EDGEROUTER_URLS"));
        var options = new GatewayOptions
        {
            ConfigPath = configPath,
            Urls = urls?.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            // Serve at once; routes skip the stages whose models are still loading (see GET /readyz).
            LoadModelsInBackground = true,
        };

        GatewayApp app;
        try
        {
            app = await GatewayApp.StartAsync(options);
        }
        catch (ConfigurationException ex)
        {
            await Console.Error.WriteLineAsync($"edgerouter: {ex.Message}");
            return CommandLine.Usage;
        }
        catch (IOException ex)
        {
            // Most often a port that is already in use.
            await Console.Error.WriteLineAsync($"edgerouter: cannot start: {ex.Message}");
            return 1;
        }

        await using (app)
        {
            await app.WaitForShutdownAsync();
        }

        // A model that failed to load in the background stopped the gateway (logged with the reason).
        return app.ModelsReady.IsFaulted ? 1 : CommandLine.Ok;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
