using EdgeRouter.Hosting;
using EdgeRouter.Simulator;

namespace EdgeRouter.Cli;

/// <summary>Dispatches <c>edgerouter [command] [options]</c>.</summary>
internal static class CommandLine
{
    public const int Ok = 0;
    public const int Usage = 2;

    public static async Task<int> RunAsync(string[] args)
    {
        var command = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "run";
        var rest = command == "run" && (args.Length == 0 || args[0].StartsWith('-')) ? args : args[1..];
        switch (command)
        {
            case "run":
                return await RunCommand.RunAsync(rest);
            case "sim":
                SocketTuning.PreferInlineCompletions();
                return await SimulatorCommand.RunAsync(rest);
            case "check-config":
                return CheckConfigCommand.Run(rest);
            case "replay":
                return await ReplayCommand.RunAsync(rest);
            case "fit":
                return FitCommand.Run(rest);
            case "simulate":
                return SimulateCommand.Run(rest);
            case "bench-encoder":
                return BenchEncoderCommand.Run(rest);
            case "eval":
                return EvalCommand.Run(rest);
            case "calibrate":
                return CalibrateCommand.Run(rest);
            case "version":
                Console.WriteLine($"edgerouter {GatewayApp.Version}");
                return Ok;
            case "help":
                Console.WriteLine(HelpText);
                return Ok;
            default:
                await Console.Error.WriteLineAsync($"edgerouter: unknown command '{command}'.\n\n{HelpText}");
                return Usage;
        }
    }

    /// <summary>Finds <c>--name value</c> or <c>--name=value</c>.</summary>
    public static bool TryGetOption(string[] args, string name, out string? value, out string? error)
    {
        value = null;
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == name)
            {
                if (i + 1 >= args.Length)
                {
                    error = $"{name} needs a value";
                    return false;
                }

                value = args[i + 1];
                return true;
            }

            if (args[i].StartsWith(name + "=", StringComparison.Ordinal))
            {
                value = args[i][(name.Length + 1)..];
                return true;
            }
        }

        return false;
    }

    /// <summary>Arguments that are neither known options nor their values.</summary>
    public static IEnumerable<string> Unknown(string[] args, params string[] optionsWithValues)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (optionsWithValues.Contains(arg))
            {
                i++;
                continue;
            }

            if (optionsWithValues.Any(o => arg.StartsWith(o + "=", StringComparison.Ordinal)) || arg is "--help" or "-h")
            {
                continue;
            }

            yield return arg;
        }
    }

    public const string HelpText = """
        EdgeRouter: an OpenAI-compatible LLM routing gateway.

        Usage:
          edgerouter [run] [--config FILE] [--urls URLS]   run the gateway (no config: the embedded default,
                                                           which routes "auto" across two simulated models)
          edgerouter sim [--url URL] [--config FILE]       run the OpenAI-compatible upstream simulator
          edgerouter check-config [--config FILE]          validate a config file and list every problem
          edgerouter check-config --print-default          print the embedded default config
          edgerouter replay [--per-benchmark N] [--only a,b]  compare routing techniques on labeled traffic with simulated upstreams
          edgerouter fit --config FILE --route NAME --data FILE.jsonl [--precision P] [--evaluate]
                                                           tune a route's intent thresholds on labeled prompts
          edgerouter simulate --scenario FILE|--example    monthly cost of routing strategies (markdown or --json)
          edgerouter bench-encoder --model DIR             time a local encoder in this binary (tokens 16/32/64/128)
          edgerouter eval [--data DIR] [--out DIR]         evaluate strong-vs-weak routers (RouteLLM metrics) → report
          edgerouter calibrate --strong-share S            learned-router threshold for a strong-call share [--quality]
          edgerouter version                               print the version

        Environment:
          EDGEROUTER_CONFIG   config file when --config is not given
          EDGEROUTER_URLS     listen addresses (';'-separated) overriding server.urls

        Send SIGHUP, or just save the config file, to reload it; an invalid file keeps the running config.
        """;
}
